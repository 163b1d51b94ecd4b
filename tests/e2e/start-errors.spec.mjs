// The attempt cannot start: refused return URL (by the proxy, then by
// Layers), a key without social:write, unknown projects, the proxy's CSRF
// check. And the browser blocking the consent tab.

import { test, expect, widget, openDemo, startInTab, consent, eventsOf, sleep } from "./helpers.mjs";
import { startDemo } from "../support/demo-server.mjs";

const SETUP = "Connecting accounts isn't set up correctly:";

/** Clicks Connect TikTok; the blank tab it opened must be closed again. */
async function clickAndExpectFailedStart(page, w, code) {
  const popupPromise = page.waitForEvent("popup", { timeout: 5_000 }).catch(() => null);
  await w.button("Connect TikTok").click();
  await expect(w.root).toHaveAttribute("data-phase", "failed_to_start");
  const popup = await popupPromise;
  if (popup) await expect.poll(() => popup.isClosed()).toBe(true);
  await expect(w.host.locator('[part~="error"]')).toContainText(SETUP);
  await expect(w.host.locator('[part~="error"]')).toContainText(code);
  await expect(w.button("Try again")).toBeVisible();
  const failed = await eventsOf(page, "layers-failed");
  expect(failed).toHaveLength(1);
  expect(failed[0].detail).toMatchObject({ code, platform: "tiktok" });
  expect((await eventsOf(page, "layers-status")).map((e) => e.detail.phase)).toEqual(["starting", "failed_to_start"]);
  expect(page.context().pages()).toHaveLength(1);
}

test("a return URL outside the proxy's allowlist: the proxy refuses it and Layers never sees the mint", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  const w = widget(page);
  await w.host.evaluate((el, url) => el.setAttribute("return-url", url), new URL("other.html", server.url).href);
  await clickAndExpectFailedStart(page, w, "RETURN_URL_NOT_ALLOWED");
  expect(await sandbox.requests()).toHaveLength(0);
});

test("Layers' own RETURN_URL_NOT_ALLOWED passes through the proxy to the customer", async ({ page, server, sandbox }) => {
  await sandbox.fault({ route: "oauth-url", status: 403, code: "RETURN_URL_NOT_ALLOWED", message: "returnUrl is not in the key's return_url_allowlist" });
  await openDemo(page, server);
  const w = widget(page);
  await clickAndExpectFailedStart(page, w, "RETURN_URL_NOT_ALLOWED");
  const log = await sandbox.requests();
  expect(log.map((r) => [r.method, r.path, r.status])).toEqual([["POST", "/v1/projects/prj_demo/social/oauth-url", 403]]);
  expect(await sandbox.polls()).toHaveLength(0);
});

test.describe("against other proxy configurations on the same sandbox", () => {
  let readonly;
  let twoProjects;
  test.beforeAll(async ({ server }) => {
    [readonly, twoProjects] = await Promise.all([
      startDemo({ env: { LAYERS_API_BASE: server.sandboxUrl, LAYERS_API_KEY: "lp_test_demo_readonly" } }),
      startDemo({ env: { LAYERS_API_BASE: server.sandboxUrl, LAYERS_API_KEY: "lp_test_demo", LAYERS_PROXY_PROJECTS: "prj_demo,prj_nope" } }),
    ]);
  });
  test.afterAll(async () => {
    await Promise.all([readonly?.stop(), twoProjects?.stop()]);
  });

  test("a read-only key: FORBIDDEN_SCOPE from Layers, shown as a setup problem", async ({ page, sandbox }) => {
    await openDemo(page, readonly);
    const w = widget(page);
    await clickAndExpectFailedStart(page, w, "FORBIDDEN_SCOPE");
    const log = await sandbox.requests();
    expect(log.map((r) => [r.method, r.path, r.keyId, r.status])).toEqual([
      ["POST", "/v1/projects/prj_demo/social/oauth-url", "key_demo_readonly", 403],
    ]);
  });

  test("a project the proxy allows but Layers does not know: 404 NOT_FOUND from Layers", async ({ page, sandbox }) => {
    await openDemo(page, twoProjects);
    const w = widget(page);
    await w.host.evaluate((el) => el.setAttribute("project-id", "prj_nope"));
    await clickAndExpectFailedStart(page, w, "NOT_FOUND");
    const log = await sandbox.requests();
    expect(log.map((r) => [r.method, r.path, r.status])).toEqual([["POST", "/v1/projects/prj_nope/social/oauth-url", 404]]);
  });
});

test("a project the proxy does not authorize: 404 from the proxy, nothing reaches Layers", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  const w = widget(page);
  await w.host.evaluate((el) => el.setAttribute("project-id", "prj_nope"));
  await clickAndExpectFailedStart(page, w, "NOT_FOUND");
  expect(await sandbox.requests()).toHaveLength(0);

  // Same for a real project of another organization.
  const other = await page.request.post(new URL("api/layers/projects/prj_other/social/oauth-url", server.url).href, {
    headers: { origin: new URL(server.url).origin },
    data: { platform: "tiktok", returnUrl: new URL("return.html", server.url).href },
  });
  expect(other.status()).toBe(404);
  expect((await other.json()).error.code).toBe("NOT_FOUND");
  expect(await sandbox.requests()).toHaveLength(0);
});

test("CSRF: a mint from another origin is refused with 403 CSRF_REJECTED and never reaches Layers", async ({ page, server, sandbox }) => {
  const mintUrl = new URL("api/layers/projects/prj_demo/social/oauth-url", server.url).href;
  const body = { platform: "tiktok", returnUrl: new URL("return.html", server.url).href };

  const refusalsBefore = server.logs.filter((l) => l.includes("cross-site mint refused")).length;
  const foreign = await page.request.post(mintUrl, { headers: { origin: "http://evil.example" }, data: body });
  expect(foreign.status()).toBe(403);
  expect((await foreign.json()).error.code).toBe("CSRF_REJECTED");
  const none = await page.request.post(mintUrl, { data: body });
  expect(none.status()).toBe(403);
  expect((await none.json()).error.code).toBe("CSRF_REJECTED");
  expect(await sandbox.requests()).toHaveLength(0);

  // A real browser page on another origin (the sandbox's: same site, other
  // port) posting to the proxy. The answer is opaque to it; the proxy's
  // access log says what happened.
  await page.goto(new URL("_sandbox/faults", server.sandboxUrl).href);
  const sent = await page.evaluate(async ([url, payload]) => {
    try {
      await fetch(url, { method: "POST", mode: "no-cors", credentials: "include", body: JSON.stringify(payload) });
      return "sent";
    } catch (e) {
      return String(e);
    }
  }, [mintUrl, body]);
  expect(sent).toBe("sent");
  // eslint-disable-next-line no-control-regex
  const refusals = () => server.logs.map((l) => l.replace(/\x1b\[[0-9;]*m/g, "")).filter((l) => l.includes("cross-site mint refused"));
  await expect.poll(() => refusals().length).toBe(refusalsBefore + 3);
  expect(await sandbox.requests()).toHaveLength(0);

  // Control: the same request from the demo's own origin is accepted.
  const same = await page.request.post(mintUrl, { headers: { origin: new URL(server.url).origin }, data: body });
  expect(same.status()).toBe(200);
  expect((await same.json()).state).toMatch(/^st_/);
  expect(await sandbox.mints()).toHaveLength(1);
});

test("the browser blocks the tab: 'Continue to TikTok' opens the consent page, polling went on, and it completes", async ({ page, context, server, sandbox }) => {
  await context.addInitScript(() => {
    window.open = () => null;
  });
  await openDemo(page, server);
  const w = widget(page);
  await w.button("Connect TikTok").click();
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await expect(w.root).toContainText("Your browser blocked the new tab.");
  await expect(w.live).toHaveText("Your browser blocked the new tab.");
  await expect(w.link).toHaveText("Continue to TikTok");
  expect(context.pages()).toHaveLength(1);
  const href = await w.link.getAttribute("href");
  const state = new URL(href).searchParams.get("state");
  expect(href.startsWith(server.sandboxUrl)).toBe(true);

  // Polling runs while the link is shown.
  await expect.poll(async () => (await sandbox.polls(state)).length, { timeout: 8_000 }).toBeGreaterThanOrEqual(1);

  const pagePromise = context.waitForEvent("page");
  await w.link.click();
  const tab = await pagePromise;
  await tab.waitForURL(/\/oauth\/tiktok\/authorize/);
  expect(tab.url()).toBe(href);
  await tab.getByRole("button", { name: "Allow", exact: true }).click();
  await expect(w.host.locator('[part~="connected"]')).toHaveText("Connected as @acmecoffee");
  expect(await eventsOf(page, "layers-connected")).toHaveLength(1);
  expect(await sandbox.mints()).toHaveLength(1);
  expect(new Set((await sandbox.polls()).map((p) => p.state))).toEqual(new Set([state]));
});

test("a 501 on start: one state, one message (failed to start, not also \"Retrying…\")", async ({ page, server, sandbox }) => {
  await sandbox.fault({ route: "oauth-url", status: 501, code: "NOT_IMPLEMENTED", message: "not here" });
  await openDemo(page, server);
  const w = widget(page);
  await w.button("Connect TikTok").click();
  await expect(w.root).toHaveAttribute("data-phase", "failed_to_start");
  await expect(w.host.locator('[part~="error"]')).toHaveText("The connection failed (NOT_IMPLEMENTED). Please try again.");
  await expect(w.host).not.toContainText("Retrying");
  await expect(w.host.locator('[part~="retrying"]')).toHaveCount(0);
  await expect(w.live).toHaveText("The connection failed (NOT_IMPLEMENTED). Please try again.");
  await expect(w.button("Try again")).toBeVisible();
  const failed = await eventsOf(page, "layers-failed");
  expect(failed.map((e) => e.detail.code)).toEqual(["NOT_IMPLEMENTED"]);
});
