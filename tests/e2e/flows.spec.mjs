// The customer's main journeys in tab and redirect mode: connect, every
// platform-side failure, the redirect round trip, a reload while waiting.

import {
  test, expect, widget, openDemo, startInTab, consent, events, eventsOf, rewriteDemoPage, FAILURES, storedAttempt, sleep,
  expectNoRateLimited,
} from "./helpers.mjs";

// Every flow here is a normal one: each test ends by checking that the
// widget's polling never tripped the sandbox's per-state poll budget.

const PLATFORMS = [
  { label: "TikTok", platform: "tiktok", handle: "acmecoffee", path: "/oauth/tiktok/authorize" },
  { label: "Instagram", platform: "instagram", handle: "acme.coffee", path: "/oauth/instagram/authorize" },
];

for (const p of PLATFORMS) {
  test(`${p.label}: one new tab, Allow, back to the widget connected as @${p.handle}`, async ({ page, context, server, sandbox }) => {
    // The return path, exactly: the demo's webhook nudge would race the
    // return page to the confirmation (and may skip "finishing"), so this
    // test's proxy has no outcome stream, as before push. The push path is
    // push.spec.mjs's.
    await page.route("**/api/layers/social/oauth-events/**", (route) => route.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"NOT_FOUND","message":"not here"}}' }));
    await openDemo(page, server);
    const w = widget(page);
    const pagesBefore = context.pages().length;
    const popup = await startInTab(page, p.label);

    // Exactly one new top-level page, on the sandbox's consent page; no iframe.
    expect(context.pages().length).toBe(pagesBefore + 1);
    expect(new URL(popup.url()).pathname).toBe(p.path);
    expect(popup.url().startsWith(server.sandboxUrl)).toBe(true);
    expect(page.frames()).toHaveLength(1);
    await expect(popup.getByRole("heading", { level: 1 })).toHaveText(p.label);
    await expect(w.root).toHaveAttribute("data-phase", "waiting");
    await expect(w.status).toContainText(`Finish connecting in the ${p.label} tab.`);

    await consent(popup, "Allow");
    await expect(w.root).toHaveAttribute("data-phase", "connected");
    await expect(w.host.locator('[part~="connected"]')).toHaveText(`Connected as @${p.handle}`);
    await expect(w.host.locator('[part="avatar"]')).toBeVisible();
    expect(context.pages().length).toBe(pagesBefore);
    expect(page.frames()).toHaveLength(1);

    const connected = await eventsOf(page, "layers-connected");
    expect(connected).toHaveLength(1);
    expect(connected[0].detail).toMatchObject({ platform: p.platform, handle: p.handle, socialAccountId: expect.stringMatching(/^sa_/) });
    expect(Date.parse(connected[0].detail.connectedAt)).not.toBeNaN();
    expect(await eventsOf(page, "layers-failed")).toHaveLength(0);
    expect((await eventsOf(page, "layers-status")).map((e) => e.detail.phase)).toEqual(["starting", "waiting", "finishing", "connected"]);
    expect(await storedAttempt(page)).toBeNull();

    // What reached Layers: one mint, then status polls for that one state that
    // end with the completion, then the account list.
    const log = await sandbox.requests();
    const mints = log.filter((r) => r.path === "/v1/projects/prj_demo/social/oauth-url");
    expect(mints).toHaveLength(1);
    const polls = await sandbox.polls();
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(new Set(polls.map((r) => r.state)).size).toBe(1);
    expect(polls.every((r) => r.status === 200)).toBe(true);
    // The account list the widget showed is the one with the new account.
    const accounts = await (await fetch(new URL("v1/projects/prj_demo/social-accounts", server.sandboxUrl), {
      headers: { authorization: "Bearer lp_test_demo" },
    })).json();
    expect(accounts.data.map((a) => a.id)).toContain(connected[0].detail.socialAccountId);

    // Nothing polls after the outcome (checked once: it is the same code path).
    if (p.platform === "tiktok") {
      const count = (await sandbox.polls()).length;
      await sleep(6_000);
      expect((await sandbox.polls()).length).toBe(count);
    }
    await expectNoRateLimited(sandbox);
  });
}

for (const [button, expected] of Object.entries(FAILURES)) {
  test(`tab mode, consent outcome ${button}: the right copy and one layers-failed ${expected.code}`, async ({ page, server, sandbox }) => {
    await openDemo(page, server);
    const w = widget(page);
    const popup = await startInTab(page, "TikTok");
    const popupUrls = [];
    popup.on("framenavigated", (frame) => frame === popup.mainFrame() && popupUrls.push(frame.url()));
    await consent(popup, button);

    await expect(w.root).toHaveAttribute("data-phase", "failed");
    await expect(w.host.locator('[part~="error"]')).toHaveText(expected.text);
    await expect(w.button("Try again")).toBeVisible();
    // The callback sent the tab to the return page with the code.
    expect(popupUrls.some((u) => u.includes(`/return.html?layers_oauth_error=${expected.code}`))).toBe(true);

    const failed = await eventsOf(page, "layers-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatchObject({ code: expected.code, platform: "tiktok" });
    expect(await eventsOf(page, "layers-connected")).toHaveLength(0);
    expect(await storedAttempt(page)).toBeNull();
    expect(page.url()).not.toContain("layers_oauth_error");
    await expectNoRateLimited(sandbox);

    // The outcome came through the poll that confirmed the return: nothing more is polled.
    if (button !== "Deny") return;
    const count = (await sandbox.polls()).length;
    await sleep(6_000);
    expect((await sandbox.polls()).length).toBe(count);
  });
}

test("a forged layers_oauth_error from any site ends nothing and shows none of its words", async ({ page, context, server, sandbox }) => {
  // Any page can open the partner's return page with its own text. The widget
  // confirms by poll (Layers says pending), then the real Allow still connects.
  await openDemo(page, server);
  const w = widget(page);
  const popup = await startInTab(page, "TikTok");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  const forged = await context.newPage();
  await forged.goto(`${server.url}return.html?layers_oauth_error=${encodeURIComponent("Your account is banned. Call +1 555 0100")}`);
  await expect(w.root).toHaveAttribute("data-phase", "finishing");
  await expect(forged.locator("#message")).toContainText("(unknown)");
  await expect(forged.locator("#message")).not.toContainText("banned");
  await sleep(1_500);
  await expect(w.root).toHaveAttribute("data-phase", "finishing");
  expect(await eventsOf(page, "layers-failed")).toHaveLength(0);
  await expect(w.host).not.toContainText("banned");
  await forged.close();

  await consent(popup, "Allow");
  await expect(w.root).toHaveAttribute("data-phase", "connected");
  expect(await eventsOf(page, "layers-failed")).toHaveLength(0);
  await expectNoRateLimited(sandbox);
});

test.describe("redirect mode", () => {
  test.beforeEach(async ({ page }) => {
    await rewriteDemoPage(page, (html) => html.replace('return-url="/return.html"', 'mode="redirect" return-url="/"'));
  });

  test("round trip: the page itself goes to TikTok and comes back connected", async ({ page, context, server, sandbox }) => {
    await openDemo(page, server);
    const w = widget(page);
    await w.button("Connect TikTok").click();
    await page.waitForURL(/\/oauth\/tiktok\/authorize/);
    expect(context.pages()).toHaveLength(1);

    await page.getByRole("button", { name: "Allow", exact: true }).click();
    await page.waitForURL((url) => url.href === server.url);
    await expect(w.root).toHaveAttribute("data-phase", "connected");
    await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
    const connected = await eventsOf(page, "layers-connected");
    expect(connected).toHaveLength(1);
    expect(connected[0].detail).toMatchObject({ platform: "tiktok", handle: "acmecoffee" });
    expect(await storedAttempt(page)).toBeNull();
    expect(context.pages()).toHaveLength(1);
    expect((await sandbox.mints())).toHaveLength(1);

    // A reload after the outcome does not resume or replay anything.
    await page.reload();
    await expect(w.root).toHaveAttribute("data-phase", "idle");
    expect(await events(page)).toHaveLength(0);
    await expectNoRateLimited(sandbox);
  });

  for (const button of ["Deny", "exchange_failed"]) {
    const expected = FAILURES[button];
    test(`${button}: failed with the right copy, and the address bar is stripped of layers_oauth_error`, async ({ page, server, sandbox }) => {
      await openDemo(page, server);
      const w = widget(page);
      await w.button("Connect TikTok").click();
      await page.waitForURL(/\/oauth\/tiktok\/authorize/);
      const landed = [];
      page.on("framenavigated", (frame) => frame === page.mainFrame() && landed.push(frame.url()));
      await page.getByRole("button", { name: button, exact: true }).click();

      await expect(w.root).toHaveAttribute("data-phase", "failed");
      await expect(w.host.locator('[part~="error"]')).toHaveText(expected.text);
      expect(landed.some((u) => u.includes(`layers_oauth_error=${expected.code}`))).toBe(true);
      await expect.poll(() => page.url()).toBe(server.url);
      const failed = await eventsOf(page, "layers-failed");
      expect(failed).toHaveLength(1);
      expect(failed[0].detail).toMatchObject({ code: expected.code, platform: "tiktok" });
      expect(await storedAttempt(page)).toBeNull();

      // A reload cannot replay the failure.
      await page.reload();
      await expect(w.root).toHaveAttribute("data-phase", "idle");
      expect(await eventsOf(page, "layers-failed")).toHaveLength(0);
      await expectNoRateLimited(sandbox);
    });
  }
});

test("tab mode: a reload while waiting resumes the same attempt, which then completes", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  const w = widget(page);
  const popup = await startInTab(page, "Instagram");
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  const [mint] = await sandbox.mints();
  expect(mint).toBeTruthy();
  expect(await storedAttempt(page)).not.toBeNull();

  await page.reload();
  const reloadedAt = Date.now();
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await expect(w.status).toContainText("Finish connecting in the Instagram tab.");
  // It keeps polling the state it had, without minting again.
  await expect.poll(async () => (await sandbox.polls()).filter((r) => r.ms >= reloadedAt).length, { timeout: 12_000 }).toBeGreaterThan(0);

  await consent(popup, "Allow");
  await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acme.coffee");
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
  expect(await sandbox.mints()).toHaveLength(1);
  const polls = await sandbox.polls();
  expect(new Set(polls.map((r) => r.state)).size).toBe(1);
  expect(polls.filter((r) => r.ms >= reloadedAt).length).toBeGreaterThanOrEqual(2);
  expect(await storedAttempt(page)).toBeNull();
  await expectNoRateLimited(sandbox);
});
