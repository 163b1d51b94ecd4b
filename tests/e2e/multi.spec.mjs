// Several widgets on one page, and widgets moved or removed by the page.

import {
  test, expect, widget, openDemo, startInTab, consent, eventsOf, rewriteDemoPage, gaps, sleep, recordPolls, expectNoRateLimited,
} from "./helpers.mjs";

const SECOND =
  '<div id="elsewhere"></div>' +
  '<layers-connect id="second" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html" platforms="instagram"></layers-connect>';

test.beforeEach(async ({ page }) => {
  await rewriteDemoPage(page, (html) => html.replace("</layers-connect>", `</layers-connect>${SECOND}`));
});

// Each widget stamps a token into its consent tab's sessionStorage (a tab
// opened by window.open starts with a copy of the opener's); the return page
// echoes it, so a return reaches only the widget whose tab it was. Each
// widget's persisted attempt is keyed by its element id.
test("two widgets run their own attempts: one denied, the other connected", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  const a = widget(page, "#widget");
  const b = widget(page, "#second");
  await expect(b.button("Connect Instagram")).toBeVisible();
  await expect(b.button("Connect TikTok")).toHaveCount(0);

  const popupA = await startInTab(page, "TikTok", "#widget");
  const popupB = await startInTab(page, "Instagram", "#second");
  await expect(a.root).toHaveAttribute("data-phase", "waiting");
  await expect(b.root).toHaveAttribute("data-phase", "waiting");
  const mints = await sandbox.mints();
  expect(mints).toHaveLength(2);
  const stateA = new URL(popupA.url()).searchParams.get("state");
  const stateB = new URL(popupB.url()).searchParams.get("state");
  expect(stateA).not.toBe(stateB);

  await consent(popupB, "Deny");
  await expect(b.root).toHaveAttribute("data-phase", "failed");
  await expect(b.host.locator('[part~="error"]')).toHaveText("You didn't give access on Instagram, so nothing was connected.");
  // A is not B: its attempt is still open.
  await sleep(1_500);
  await expect(a.root).toHaveAttribute("data-phase", "waiting");

  await consent(popupA, "Allow");
  await expect(a.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
  await expect(b.root).toHaveAttribute("data-phase", "failed");

  const evts = await eventsOf(page, "layers-failed");
  expect(evts.map((e) => [e.target, e.detail.code])).toEqual([["second", "platform_denied"]]);
  const connected = await eventsOf(page, "layers-connected");
  expect(connected.map((e) => [e.target, e.detail.platform])).toEqual([["widget", "tiktok"]]);
  await expectNoRateLimited(sandbox);
});

test("moving a waiting widget elsewhere in the DOM neither restarts nor duplicates its polling", async ({ page, server, sandbox }) => {
  test.setTimeout(60_000);
  const sent = await recordPolls(page);
  await openDemo(page, server);
  const a = widget(page, "#widget");
  const popup = await startInTab(page, "TikTok", "#widget");
  await expect.poll(async () => (await sandbox.polls()).length, { timeout: 8_000 }).toBe(1);

  await page.evaluate(() => document.getElementById("elsewhere").appendChild(document.getElementById("widget")));
  await page.evaluate(() => document.body.appendChild(document.getElementById("widget")));
  await expect(a.root).toHaveAttribute("data-phase", "waiting");
  await sleep(11_000);
  const polls = await sandbox.polls();
  expect(polls.length).toBeGreaterThanOrEqual(2);
  expect(polls.length).toBeLessThanOrEqual(3);
  expect(sent).toHaveLength(polls.length);
  expect(gaps(sent).every((g) => g >= 5_000 - 60), `gaps ${gaps(sent)}`).toBe(true);
  expect(new Set(polls.map((p) => p.state)).size).toBe(1);
  expect(await sandbox.mints()).toHaveLength(1);
  expect((await eventsOf(page, "layers-status")).map((e) => e.detail.phase)).toEqual(["starting", "waiting"]);

  await consent(popup, "Allow");
  await expect(a.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
  await expectNoRateLimited(sandbox);
});

test("removing a waiting widget stops its requests; the other widget carries on", async ({ page, server, sandbox }) => {
  test.setTimeout(60_000);
  await openDemo(page, server);
  const b = widget(page, "#second");
  await startInTab(page, "TikTok", "#widget");
  const popupB = await startInTab(page, "Instagram", "#second");
  await expect.poll(async () => (await sandbox.polls()).length, { timeout: 8_000 }).toBeGreaterThanOrEqual(2);
  const stateA = (await sandbox.mints()).length && (await sandbox.polls())[0].state;

  const pageRequests = [];
  page.on("request", (r) => r.url().includes("/oauth-status/") && pageRequests.push({ url: r.url(), at: Date.now() }));
  await page.evaluate(() => document.getElementById("widget").remove());
  const removedAt = Date.now();
  await sleep(7_000);
  const pollsA = (await sandbox.polls(stateA)).filter((p) => p.ms > removedAt + 200);
  expect(pollsA).toHaveLength(0);
  expect(pageRequests.filter((r) => r.url.endsWith(stateA))).toHaveLength(0);
  // The remaining widget kept polling its own state.
  expect(pageRequests.filter((r) => !r.url.endsWith(stateA)).length).toBeGreaterThanOrEqual(1);

  await consent(popupB, "Allow");
  await expect(b.host.locator('[part~="connected"]')).toHaveText("Connected as @acme.coffee");
  await expectNoRateLimited(sandbox);
});
