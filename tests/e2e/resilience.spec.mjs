// Expiry, transient failures, offline, and the kill switch: what the customer
// sees and what stops reaching Layers.

import { test, expect, widget, openDemo, startInTab, consent, eventsOf, gaps, sleep, recordPolls } from "./helpers.mjs";

const JITTER = 60;

test("a link that expires shows the expired state; Try again mints a new state that can complete", async ({ page, server, sandbox }) => {
  test.setTimeout(60_000);
  await sandbox.settings({ stateTtlSeconds: 12 });
  await openDemo(page, server);
  const w = widget(page);
  const first = await startInTab(page, "TikTok");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await expect(w.host.locator('[part="detail"]')).toHaveText(/^Link expires in 0:1\d$/);

  await expect(w.root).toHaveAttribute("data-phase", "expired", { timeout: 20_000 });
  await expect(w.host.locator('[part~="error"]')).toHaveText("The link expired before you finished. Try again for a new one.");
  await expect(w.live).toHaveText("The link expired before you finished. Try again for a new one.");
  const [waiting] = (await eventsOf(page, "layers-status")).filter((e) => e.detail.phase === "waiting");
  const before = await sandbox.polls();
  expect(before.every((p) => p.ms < Date.parse(waiting.detail.expiresAt) && p.status === 200)).toBe(true);
  const firstState = before[0].state;

  const popupPromise = page.waitForEvent("popup");
  await w.button("Try again").click();
  const second = await popupPromise;
  await second.waitForURL(/\/oauth\/tiktok\/authorize/);
  const secondState = new URL(second.url()).searchParams.get("state");
  expect(secondState).toMatch(/^st_/);
  expect(secondState).not.toBe(firstState);
  expect(new URL(first.url()).searchParams.get("state")).toBe(firstState);
  expect(await sandbox.mints()).toHaveLength(2);

  await consent(second, "Allow");
  await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
  const after = (await sandbox.polls()).filter((p) => !before.some((b) => b.requestId === p.requestId));
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((p) => p.state === secondState)).toBe(true);
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
});

test("a burst of 500s backs off (5 s, then 10 s) and polling recovers to the 5 s floor", async ({ page, server, sandbox }) => {
  test.setTimeout(60_000);
  const sent = await recordPolls(page);
  await openDemo(page, server);
  const w = widget(page);
  const popup = await startInTab(page, "TikTok");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await sandbox.fault({ route: "oauth-status", count: 2, status: 500 });
  // The customer is told the widget is retrying, and the notice goes once a poll succeeds.
  const retrying = w.host.locator('[part~="retrying"]');
  await expect(retrying).toHaveText("Having trouble reaching the server. Retrying…", { timeout: 10_000 });

  await expect.poll(async () => (await sandbox.polls()).length, { timeout: 35_000 }).toBeGreaterThanOrEqual(4);
  await expect(retrying).toHaveCount(0);
  const polls = (await sandbox.polls()).slice(0, 4);
  expect(polls.map((p) => p.status)).toEqual([500, 500, 200, 200]);
  const [g1, g2, g3] = gaps(sent.slice(0, 4));
  expect(g1).toBeGreaterThanOrEqual(5_000 - JITTER);
  expect(g2).toBeGreaterThanOrEqual(10_000 - JITTER);
  expect(g3).toBeGreaterThanOrEqual(5_000 - JITTER);
  expect(g3).toBeLessThan(8_000);
  // Transient errors are not the customer's failure.
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  expect(await eventsOf(page, "layers-failed")).toHaveLength(0);

  await consent(popup, "Allow");
  await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
});

test("offline pauses polling; back online, it polls again and the attempt completes", async ({ page, context, server, sandbox }) => {
  test.setTimeout(60_000);
  await openDemo(page, server);
  const w = widget(page);
  const popup = await startInTab(page, "Instagram");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await context.setOffline(true);
  const offAt = Date.now();
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  // Long enough for two polls to have been due.
  await sleep(11_000);
  expect((await sandbox.polls()).filter((p) => p.ms >= offAt)).toHaveLength(0);
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  expect(await eventsOf(page, "layers-failed")).toHaveLength(0);

  await context.setOffline(false);
  const onAt = Date.now();
  await expect.poll(async () => (await sandbox.polls()).filter((p) => p.ms >= onAt).length, { timeout: 7_000 }).toBeGreaterThan(0);
  await consent(popup, "Allow");
  await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acme.coffee");
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
});

test("offline: the widget tells the customer polling is paused until they are back online", async ({ page, context, server }) => {
  await openDemo(page, server);
  const w = widget(page);
  await startInTab(page, "TikTok");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await context.setOffline(true);
  await expect(w.root).toContainText("You're offline. We'll check again when you're back online.");
  await context.setOffline(false);
  await expect(w.root).not.toContainText("You're offline.");
});

for (const scope of ["key", "organization", "global"]) {
  test(`kill switch (${scope}) while waiting: unavailable, and polling stops`, async ({ page, server, sandbox }) => {
    await openDemo(page, server);
    const w = widget(page);
    await startInTab(page, "TikTok");
    await expect(w.root).toHaveAttribute("data-phase", "waiting");
    await sandbox.killSwitch(scope, true, scope === "key" ? "key_demo" : scope === "organization" ? "org_demo" : undefined);

    await expect(w.root).toHaveAttribute("data-phase", "unavailable", { timeout: 12_000 });
    const text = `Connecting accounts is unavailable right now (${scope}).`;
    await expect(w.host.locator('[part~="error"]')).toHaveText(text);
    await expect(w.live).toHaveText(text);
    const failed = await eventsOf(page, "layers-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatchObject({ code: "KILL_SWITCH", platform: "tiktok" });
    expect((await eventsOf(page, "layers-status")).at(-1).detail.phase).toBe("unavailable");

    const polls = await sandbox.polls();
    expect(polls.at(-1).status).toBe(503);
    await sleep(6_000);
    expect(await sandbox.polls()).toHaveLength(polls.length);
  });
}
