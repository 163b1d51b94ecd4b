// Polling rules seen from Layers' side: the sandbox request log timestamps
// every oauth-status request, so the gaps between them are what a real
// Layers would see. These are the slow scenarios (real backoff timings).

import { test, expect, widget, openDemo, startInTab, consent, eventsOf, gaps, sleep, recordPolls, expectNoRateLimited } from "./helpers.mjs";

// Gaps are measured at the widget's fetch() calls (recordPolls); the statuses
// and the count come from the sandbox's own log. Allow timer jitter.
const JITTER = 60;

test("429 with Retry-After: each wait honours it and the backoff, capped at 30 s; polls recover", async ({ page, server, sandbox }) => {
  test.setTimeout(150_000);
  const sent = await recordPolls(page);
  await openDemo(page, server);
  const w = widget(page);
  const popup = await startInTab(page, "TikTok");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  // Before the first poll (5 s after the mint): the next 4 polls answer 429, Retry-After 8 s.
  await sandbox.fault({ route: "oauth-status", count: 4, status: 429, code: "RATE_LIMITED", retryAfter: 8 });

  // 4 × 429 then 2 good answers: waits max(8, 5) = 8, max(8, 10) = 10, 20, 30 (not 40), then 5.
  await expect.poll(async () => (await sandbox.polls()).length, { timeout: 110_000, intervals: [1_000] }).toBeGreaterThanOrEqual(6);
  const polls = (await sandbox.polls()).slice(0, 6);
  expect(polls.map((p) => p.status)).toEqual([429, 429, 429, 429, 200, 200]);
  const [g1, g2, g3, g4, g5] = gaps(sent.slice(0, 6));
  expect(g1).toBeGreaterThanOrEqual(8_000 - JITTER); // Retry-After beats the 5 s backoff
  expect(g2).toBeGreaterThanOrEqual(10_000 - JITTER); // backoff 10 beats Retry-After 8
  expect(g3).toBeGreaterThanOrEqual(20_000 - JITTER);
  expect(g4).toBeGreaterThanOrEqual(30_000 - JITTER);
  expect(g4).toBeLessThan(33_000); // capped at 30 s, not doubled to 40
  expect(g5).toBeGreaterThanOrEqual(5_000 - JITTER); // after a good answer: back to the 5 s floor
  expect(g5).toBeLessThan(8_000);

  // The customer saw an attempt still in progress, then can finish it.
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  expect(await eventsOf(page, "layers-failed")).toHaveLength(0);
  await consent(popup, "Allow");
  await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
});

test("over a whole consent window, polls keep the 5 s floor except one early confirmation, and stop at expiry", async ({ page, context, server, sandbox }) => {
  test.setTimeout(90_000);
  await sandbox.settings({ stateTtlSeconds: 40 });
  const sent = await recordPolls(page);
  await openDemo(page, server);
  const w = widget(page);
  await startInTab(page, "TikTok");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  const [waiting] = (await eventsOf(page, "layers-status")).filter((e) => e.detail.phase === "waiting");
  const expiresAt = Date.parse(waiting.detail.expiresAt);

  // Twice, the return page says "back" although nothing was granted (say the
  // customer reopened it): only the first may earn an early confirmation poll.
  const signalReturn = async () => {
    const other = await context.newPage();
    await other.goto(new URL("return.html", server.url).href);
    await other.close();
  };
  await expect.poll(async () => (await sandbox.polls()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await signalReturn();
  await expect(w.root).toHaveAttribute("data-phase", "finishing");
  await sleep(8_000);
  await signalReturn();

  await expect(w.root).toHaveAttribute("data-phase", "expired", { timeout: 45_000 });
  await expect(w.host.locator('[part~="error"]')).toHaveText("The link expired before you finished. Try again for a new one.");
  const polls = await sandbox.polls();
  expect(sent).toHaveLength(polls.length);
  const g = gaps(sent);
  const early = g.filter((x) => x < 5_000 - JITTER);
  expect(early.length, `gaps ${g.join(", ")}`).toBeLessThanOrEqual(1);
  expect(early.every((x) => x >= 250 - JITTER), `gaps ${g.join(", ")}`).toBe(true);
  expect(polls.length).toBeGreaterThanOrEqual(6);
  expect(polls.length).toBeLessThanOrEqual(9); // ~40 s / 5 s, plus the early one
  // Nothing is sent at or after expiresAt (the sandbox would answer state_expired).
  expect(polls.every((p) => p.ms < expiresAt)).toBe(true);
  // …and nothing after the attempt expired.
  await sleep(6_000);
  expect((await sandbox.polls()).length).toBe(polls.length);
  // The early confirmation stayed inside the per-state poll budget.
  await expectNoRateLimited(sandbox);
});
