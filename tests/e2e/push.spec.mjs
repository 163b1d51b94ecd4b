// The outcome stream in a real browser, against the demo server (its
// embedded sandbox delivers social_account.connected webhooks to its own
// proxy). A consent completed with no return signal (the customer's return
// page is not ours) shows "Connected" within a second or two: the webhook
// makes the proxy poll for the widget and send the answer down the stream
// (the check), or, from a proxy that only nudges, the nudge makes the
// widget poll at once; without the stream route, or
// with a stream that drops, the widget connects by polling, later, and
// nothing else changes.

import { test, expect, openDemo, startInTab, widget, recordPolls, eventsOf, expectNoRateLimited, sleep } from "./helpers.mjs";
import { recordStreams, approveWithoutReturn, connectedAt, watchConsole, tightGaps } from "./push-helpers.mjs";

const EVENTS_ROUTE = "**/api/layers/social/oauth-events/**";

/** Starts TikTok, waits for the widget's first (5 s) poll, and returns the tab and its state. */
async function startAndWaitForFirstPoll(page, polls) {
  const popup = await startInTab(page);
  await expect.poll(() => polls.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  // Consent goes through about a second after that poll: the next poll by
  // the floor is about 4 s away.
  await sleep(1_000);
  return popup;
}

test("a consent without a return signal shows Connected from the proxy's check, with no poll from the browser", async ({ page, server, sandbox }) => {
  const hygiene = watchConsole(page);
  const polls = await recordPolls(page);
  const streams = await recordStreams(page);
  await openDemo(page, server);
  const popup = await startAndWaitForFirstPoll(page, polls);
  const [stream] = await streams();
  // The nudge's early poll is unused: the widget lets the proxy spend it.
  expect(stream.url).toMatch(/\/api\/layers\/social\/oauth-events\/st_[^?]*\?check=1$/);
  expect(stream.events[0]?.type).toBe("ready");
  const pollsBefore = polls.length;

  const completed = await approveWithoutReturn(popup, new URL(server.url).origin);
  const connected = await connectedAt(page);
  await expect(widget(page).root).toHaveAttribute("data-phase", "connected");
  await expect(widget(page).root).toContainText("Connected as");
  const latency = connected - completed;
  test.info().annotations.push({ type: "latency", description: `${latency} ms from the callback to layers-connected` });
  console.log(`push (check): ${Math.round(latency)} ms from the callback's answer to layers-connected`);
  expect(latency, "Connected long before the next 5 s poll").toBeLessThan(2_000);

  // The webhook made the proxy poll: the stream carried Layers' answer (the
  // widget closed it with the attempt, before the proxy's `end`); the
  // browser sent no confirming poll of its own.
  const events = (await streams())[0].events.map((e) => e.type);
  expect(events).toEqual(["ready", "status"]);
  const status = JSON.parse((await streams())[0].events[1].data);
  expect(status.status).toBe("completed");
  expect(status.socialAccountId).toMatch(/^sa_/);
  expect(polls.length, "no poll from the browser after the consent").toBe(pollsBefore);
  const phases = (await eventsOf(page, "layers-status")).map((e) => e.detail.phase);
  expect(phases).toEqual(["starting", "waiting", "connected"]);
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
  // The budget as the sandbox saw it: the widget's floor poll, the proxy's check.
  expect((await sandbox.polls()).length).toBe(pollsBefore + 1);
  await sleep(3_500);
  expect(await streams()).toHaveLength(1);
  await expectNoRateLimited(sandbox);
  hygiene.expectClean();
});

test("with a proxy that only nudges, Connected comes at the nudge's poll, well before the next one", async ({ page, server, sandbox }) => {
  const hygiene = watchConsole(page);
  // A partner proxy that implements the stream without the check: it never
  // sees `?check=1` (the query is dropped on the way) and only nudges.
  await page.route(EVENTS_ROUTE, (route) => {
    const url = new URL(route.request().url());
    url.search = "";
    return route.continue({ url: url.toString() });
  });
  const polls = await recordPolls(page);
  const streams = await recordStreams(page);
  await openDemo(page, server);
  const popup = await startAndWaitForFirstPoll(page, polls);

  const completed = await approveWithoutReturn(popup, new URL(server.url).origin);
  const connected = await connectedAt(page);
  await expect(widget(page).root).toHaveAttribute("data-phase", "connected");
  const latency = connected - completed;
  console.log(`push (nudge): ${Math.round(latency)} ms from the callback's answer to layers-connected`);
  expect(latency, "Connected long before the next 5 s poll").toBeLessThan(2_000);

  // It was the nudge: the confirming poll went after it, and sooner than the floor.
  const nudges = (await streams())[0].events.filter((e) => e.type === "nudge");
  expect(nudges.length).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(nudges[0].data)).toEqual({ platform: "tiktok" });
  expect((await streams())[0].events.some((e) => e.type === "status")).toBe(false);
  const confirming = polls.at(-1);
  expect(confirming.ms).toBeGreaterThanOrEqual(nudges[0].at - 5);
  expect(confirming.ms - polls.at(-2).ms).toBeLessThan(5_000);
  // No "Finishing…" (that is the return signal's), one outcome event.
  const phases = (await eventsOf(page, "layers-status")).map((e) => e.detail.phase);
  expect(phases).toEqual(["starting", "waiting", "connected"]);
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
  // The stream is closed with the attempt: no new one, no reconnection.
  await sleep(3_500);
  expect(await streams()).toHaveLength(1);
  expect(await page.evaluate(() => window.__lcStreams.length)).toBe(1);
  await expectNoRateLimited(sandbox);
  hygiene.expectClean();
});

test("a proxy without the stream route connects by polling, with one try and nothing shown", async ({ page, server, sandbox }) => {
  const hygiene = watchConsole(page);
  let asked = 0;
  await page.route(EVENTS_ROUTE, (route) => {
    asked += 1;
    return route.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"NOT_FOUND","message":"no such route"}}' });
  });
  const polls = await recordPolls(page);
  await openDemo(page, server);
  const popup = await startAndWaitForFirstPoll(page, polls);
  await expect(widget(page).root).toHaveAttribute("data-phase", "waiting");
  const completed = await approveWithoutReturn(popup, new URL(server.url).origin);
  const connected = await connectedAt(page);
  // The next poll by the floor: up to 5 s after the first one.
  expect(connected - completed).toBeGreaterThan(2_000);
  expect(connected - completed).toBeLessThan(6_000);
  expect(tightGaps(polls)).toEqual([]);
  expect(asked, "the stream was tried once, never again").toBe(1);
  expect(await eventsOf(page, "layers-failed")).toEqual([]);
  const phases = (await eventsOf(page, "layers-status")).map((e) => e.detail.phase);
  expect(phases).toEqual(["starting", "waiting", "connected"]);
  await expectNoRateLimited(sandbox);
  hygiene.expectClean();
});

test("a stream that drops mid-wait is reopened once after its backoff; the nudge still comes", async ({ page, server, sandbox }) => {
  const hygiene = watchConsole(page);
  const opened = [];
  await page.route(EVENTS_ROUTE, (route) => {
    opened.push(Date.now());
    // The first stream says ready, then the connection ends: a drop.
    if (opened.length === 1) {
      return route.fulfill({ status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-store" }, body: "event: ready\ndata: {}\n\n" });
    }
    return route.continue();
  });
  const polls = await recordPolls(page);
  const streams = await recordStreams(page);
  await openDemo(page, server);
  const popup = await startAndWaitForFirstPoll(page, polls);
  await expect.poll(() => opened.length, { timeout: 10_000 }).toBe(2);
  expect(opened[1] - opened[0], "the reopen waited for its backoff").toBeGreaterThanOrEqual(1_900);
  await expect.poll(async () => (await streams())[1]?.events.some((e) => e.type === "ready")).toBe(true);

  const completed = await approveWithoutReturn(popup, new URL(server.url).origin);
  const connected = await connectedAt(page);
  expect(connected - completed).toBeLessThan(2_000);
  expect(opened).toHaveLength(2);
  expect(await eventsOf(page, "layers-failed")).toEqual([]);
  await expectNoRateLimited(sandbox);
  hygiene.expectClean();
});

test("a stream refused at the network (aborted) changes nothing but latency", async ({ page, server, sandbox }) => {
  const hygiene = watchConsole(page);
  let asked = 0;
  await page.route(EVENTS_ROUTE, (route) => {
    asked += 1;
    return route.abort("connectionreset");
  });
  const polls = await recordPolls(page);
  await openDemo(page, server);
  const popup = await startAndWaitForFirstPoll(page, polls);
  const completed = await approveWithoutReturn(popup, new URL(server.url).origin);
  const connected = await connectedAt(page);
  expect(connected - completed).toBeLessThan(6_000);
  expect(tightGaps(polls)).toEqual([]);
  expect(asked).toBe(1);
  await expect(widget(page).root).toHaveAttribute("data-phase", "connected");
  await expectNoRateLimited(sandbox);
  hygiene.expectClean();
});

test("a browser without EventSource connects by polling", async ({ page, server, sandbox }) => {
  const hygiene = watchConsole(page);
  await page.addInitScript(() => {
    delete window.EventSource;
  });
  const polls = await recordPolls(page);
  await openDemo(page, server);
  const popup = await startAndWaitForFirstPoll(page, polls);
  const completed = await approveWithoutReturn(popup, new URL(server.url).origin);
  const connected = await connectedAt(page);
  expect(connected - completed).toBeLessThan(6_000);
  expect(tightGaps(polls)).toEqual([]);
  await expectNoRateLimited(sandbox);
  hygiene.expectClean();
});

test("removing the element while it waits closes its stream, and cancel does too", async ({ page, server }) => {
  const hygiene = watchConsole(page);
  const polls = await recordPolls(page);
  const streams = await recordStreams(page);
  await openDemo(page, server);
  const states = () => page.evaluate(() => window.__lcSources.map((s) => s.readyState));
  // Cancel: the attempt ends, the stream closes (EventSource.CLOSED is 2).
  await startInTab(page);
  await expect.poll(async () => (await streams())[0]?.events.some((e) => e.type === "ready")).toBe(true);
  await widget(page).button("Cancel").click();
  await expect(widget(page).root).toHaveAttribute("data-phase", "cancelled");
  expect(await states()).toEqual([2]);
  // Removed from the DOM mid-wait: closed, and nothing reopens it.
  await page.evaluate(() => document.querySelector("layers-connect").reset());
  await startInTab(page);
  await expect.poll(async () => (await streams()).length).toBe(2);
  await expect.poll(async () => (await streams())[1].events.some((e) => e.type === "ready")).toBe(true);
  await page.evaluate(() => document.querySelector("layers-connect").remove());
  await expect.poll(states).toEqual([2, 2]);
  await sleep(3_000);
  expect(await streams()).toHaveLength(2);
  hygiene.expectClean();
});
