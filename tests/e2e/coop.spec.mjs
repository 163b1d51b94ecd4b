// Under Cross-Origin-Opener-Policy, on top of the strict CSP of csp.spec.mjs.
//
// What COOP changes for the widget: its consent tab opens as about:blank
// (same origin, same policy as the dashboard), then goes to the platform's
// page (another origin, no COOP) and comes back to the partner's return page.
// Under `same-origin` the first of those navigations moves the tab into a
// new browsing context group: the dashboard's handle to it goes dead
// (`closed` reads true, `close()` does nothing) and the return page has no
// opener. What the widget relies on survives: the tab's sessionStorage (the
// return token that names the widget, copied at window.open time) belongs
// to the tab, not to the group, and BroadcastChannel reaches every page of
// the origin. So a connect completes and the return reaches the widget that
// started it, with two widgets on the page, in tab and in redirect mode.
// Cancel cannot close a consent tab on the platform's page, here as
// without COOP (see that test).

import { test, expect, widget, events, eventsOf, sandboxOf, expectNoRateLimited } from "./helpers.mjs";
import { startDemo, freePort } from "../support/demo-server.mjs";
import { startHardenedSite, strictPolicy } from "../support/hardened-site.mjs";

// Each row is one hardened site: the COOP of its dashboard and of its return
// page (null: no header). The last row is a partner who hardened only the
// dashboard.
const SITES = [
  { name: "same-origin", dashboard: "same-origin", returnPage: "same-origin" },
  { name: "same-origin-allow-popups", dashboard: "same-origin-allow-popups", returnPage: "same-origin-allow-popups" },
  { name: "noopener-allow-popups", dashboard: "noopener-allow-popups", returnPage: "noopener-allow-popups" },
  { name: "same-origin on the dashboard only", dashboard: "same-origin", returnPage: null },
];

const widgets = (attrs) => `
<layers-connect id="first" endpoint="/api/layers" project-id="prj_demo" platforms="instagram" ${attrs}></layers-connect>
<layers-connect id="second" endpoint="/api/layers" project-id="prj_demo" platforms="tiktok" ${attrs}></layers-connect>`;

// Two widgets of one project, told apart by their ids; no inline script or
// style (the CSP would block them).
const dashboard = (attrs) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hardened dashboard</title>
<script type="module" src="/dist/layers-connect.js"></script>
</head><body>${widgets(attrs)}
</body></html>
`;

const PAGES = {
  "/": dashboard('return-url="/return.html"'),
  // Redirect mode: the dashboard is its own return page.
  "/redirect": dashboard('mode="redirect" return-url="/redirect"'),
  // A same-origin page to open from the dashboard (the noopener probe).
  "/probe": "<!doctype html><title>probe</title>",
  "/favicon.ico": "",
};

let demo;
let sandbox;
const sites = [];

test.beforeAll(async () => {
  const ports = await Promise.all(SITES.map(() => freePort()));
  const origins = ports.map((port) => `http://127.0.0.1:${port}`);
  demo = await startDemo({
    env: {
      LAYERS_PROXY_RETURN_URLS: origins.flatMap((o) => [`${o}/return.html`, `${o}/redirect`]).join(","),
      LAYERS_PROXY_ALLOWED_ORIGINS: origins.join(","),
      LAYERS_PROXY_MINT_LIMIT: "1000",
    },
  });
  sandbox = sandboxOf(demo);
  const csp = strictPolicy(new URL(demo.sandboxUrl).origin);
  for (const [i, row] of SITES.entries()) {
    const coop = (policy) => (policy ? { "cross-origin-opener-policy": policy } : {});
    const site = await startHardenedSite({
      port: ports[i],
      upstream: demo.url,
      headers: (path) => ({
        "content-security-policy": csp,
        ...coop(path === "/return.html" ? row.returnPage : row.dashboard),
      }),
      pages: PAGES,
    });
    sites.push({ ...row, url: site.url, stop: site.stop });
  }
});

test.afterAll(async () => {
  for (const site of sites) await site.stop();
  await demo?.stop();
});

test.beforeEach(async ({ context }) => {
  await sandbox.reset();
  // Every return message the dashboard hears, as it heard it (a Playwright
  // init script: the CSP does not apply to it).
  await context.addInitScript(() => {
    window.__lcReturns = [];
    const channel = new BroadcastChannel("layers-connect");
    channel.onmessage = (e) => window.__lcReturns.push(e.data);
  });
});

/**
 * Console errors of the dashboard and of every page of the site (the return
 * page in the consent tab); the sandbox's consent page is not ours.
 */
function watchSiteErrors(context, site) {
  const errors = [];
  const watch = (p) => {
    p.on("console", (m) => m.type() === "error" && p.url().startsWith(site.url) && errors.push(`${p.url()}: ${m.text()}`));
    p.on("pageerror", (e) => p.url().startsWith(site.url) && errors.push(`${p.url()}: ${e}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return errors;
}

async function open(page, site, path = "") {
  const response = await page.goto(new URL(path, site.url).href);
  expect(response.headers()["cross-origin-opener-policy"]).toBe(site.dashboard);
  for (const id of ["#first", "#second"]) await expect(widget(page, id).root).toHaveAttribute("data-phase", "idle");
}

/** "Connect {platform}" in one widget; the consent tab, on the consent page. */
async function startInTab(page, id, platform) {
  const [popup] = await Promise.all([page.waitForEvent("popup"), widget(page, id).button(`Connect ${platform}`).click()]);
  await popup.waitForURL(/\/oauth\/(tiktok|instagram)\/authorize/);
  return popup;
}

/**
 * Presses a consent button; the return page answers and closes the tab.
 * Resolves to the return page's response as the tab received it. The wait is
 * on the `response` event, set up before the click: asking a request for its
 * response afterwards is a round trip that loses the race with the page
 * closing itself (CI, 2026-12-01: "Target page ... has been closed").
 */
async function consent(popup, button) {
  const closed = popup.waitForEvent("close");
  const returned = popup.waitForResponse((r) => r.url().includes("/return.html"));
  await popup.getByRole("button", { name: button, exact: true }).click();
  const [response] = await Promise.all([returned, closed]);
  return response;
}

const phases = async (page, id) => (await events(page)).filter((e) => e.target === id && e.type === "layers-status").map((e) => e.detail.phase);

for (const row of SITES) {
  test.describe(`COOP ${row.name}`, () => {
    const site = () => sites.find((s) => s.name === row.name);

    test("tab mode: the widget that started connects, the other stays idle", async ({ page, context }) => {
      const errors = watchSiteErrors(context, site());
      await open(page, site());
      const popup = await startInTab(page, "#second", "TikTok");
      const returnPage = await consent(popup, "Allow");
      // The return page itself was served with the row's policy.
      expect(returnPage.headers()["cross-origin-opener-policy"]).toBe(row.returnPage ?? undefined);

      await expect(widget(page, "#second").host.locator("[part~=connected]")).toHaveText("Connected as @acmecoffee");
      await expect(widget(page, "#second").host.locator("[part~=avatar]")).toBeVisible();
      await page.waitForTimeout(300); // a second event would arrive by now
      const connected = await eventsOf(page, "layers-connected");
      expect(connected.map((e) => [e.target, e.detail.platform, e.detail.handle])).toEqual([["second", "tiktok", "acmecoffee"]]);
      await expect(widget(page, "#first").root).toHaveAttribute("data-phase", "idle");
      expect(await phases(page, "first")).toEqual([]);
      // The return token came back through the group switch: the message
      // names the widget rather than falling back to "any waiting widget".
      const returns = await page.evaluate(() => window.__lcReturns);
      expect(returns).toHaveLength(1);
      expect(returns[0]).toMatchObject({ kind: "layers-connect:return", error: null, token: expect.stringMatching(/^[0-9a-f]{8,}$/) });
      expect(errors).toEqual([]);
      await expectNoRateLimited(sandbox);
    });

    test("tab mode, both waiting: a denial reaches only its widget, then the other connects", async ({ page, context }) => {
      const errors = watchSiteErrors(context, site());
      await open(page, site());
      const first = widget(page, "#first");
      const second = widget(page, "#second");
      const popupFirst = await startInTab(page, "#first", "Instagram");
      const popupSecond = await startInTab(page, "#second", "TikTok");
      await expect(first.root).toHaveAttribute("data-phase", "waiting");
      await expect(second.root).toHaveAttribute("data-phase", "waiting");

      // Without the token both would take this denial.
      await consent(popupSecond, "Deny");
      await expect(second.root).toHaveAttribute("data-phase", "failed");
      await page.waitForTimeout(1_000);
      await expect(first.root).toHaveAttribute("data-phase", "waiting");

      await consent(popupFirst, "Allow");
      await expect(first.host.locator("[part~=connected]")).toHaveText("Connected as @acme.coffee");
      await expect(second.root).toHaveAttribute("data-phase", "failed");
      await page.waitForTimeout(300);
      expect((await eventsOf(page, "layers-failed")).map((e) => [e.target, e.detail.code])).toEqual([["second", "platform_denied"]]);
      expect((await eventsOf(page, "layers-connected")).map((e) => [e.target, e.detail.platform])).toEqual([["first", "instagram"]]);
      const tokens = (await page.evaluate(() => window.__lcReturns)).map((m) => m.token);
      expect(tokens).toHaveLength(2);
      expect(tokens.every(Boolean) && tokens[0] !== tokens[1]).toBe(true);
      expect(errors).toEqual([]);
      await expectNoRateLimited(sandbox);
    });

    test("redirect mode: the page goes to TikTok and comes back with the right widget connected", async ({ page, context }) => {
      const errors = watchSiteErrors(context, site());
      await open(page, site(), "redirect");
      await widget(page, "#second").button("Connect TikTok").click();
      await page.waitForURL(/\/oauth\/tiktok\/authorize/);
      await page.getByRole("button", { name: "Allow", exact: true }).click();
      await page.waitForURL(new URL("redirect", site().url).href);

      await expect(widget(page, "#second").host.locator("[part~=connected]")).toHaveText("Connected as @acmecoffee");
      await page.waitForTimeout(300);
      expect((await eventsOf(page, "layers-connected")).map((e) => [e.target, e.detail.platform])).toEqual([["second", "tiktok"]]);
      await expect(widget(page, "#first").root).toHaveAttribute("data-phase", "idle");
      expect(await phases(page, "first")).toEqual([]);
      expect(context.pages()).toHaveLength(1);
      expect(errors).toEqual([]);
      await expectNoRateLimited(sandbox);
    });

    // Cancel cannot close a consent tab that is on the platform's page, COOP
    // or not: the widget cut the tab's opener, so the dashboard is no longer
    // "familiar with" that cross-origin page and the browser refuses (under
    // `same-origin` the handle is dead anyway). The widget does not try, so
    // the refusal logs no error; the tab stays open.
    test("Cancel leaves the consent tab open without an error, and a late Allow changes nothing", async ({ page, context }) => {
      const errors = watchSiteErrors(context, site());
      await open(page, site());
      const second = widget(page, "#second");
      const popup = await startInTab(page, "#second", "TikTok");
      await expect(second.root).toHaveAttribute("data-phase", "waiting");
      await second.button("Cancel").click();
      await expect(second.root).toHaveAttribute("data-phase", "cancelled");
      await page.waitForTimeout(1_000);
      expect(popup.isClosed()).toBe(false);
      expect(errors).toEqual([]);
      // The customer may still press Allow there: the return page closes its
      // tab, and the cancelled widget stays cancelled.
      await consent(popup, "Allow");
      await page.waitForTimeout(500);
      await expect(second.root).toHaveAttribute("data-phase", "cancelled");
      expect(await eventsOf(page, "layers-connected")).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
}

// The noopener-allow-popups rows test something only if the browser knows
// the value: a page under it opened by a same-origin page loses its opener.
// The same probe under same-origin-allow-popups keeps it (the probe can fail).
test("Chromium enforces noopener-allow-popups", async ({ page }) => {
  const openerKept = async (name) => {
    await page.goto(sites.find((s) => s.name === name).url);
    return page.evaluate(async () => {
      const tab = window.open("/probe", "_blank");
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const kept = !tab.closed;
      tab.close();
      return kept;
    });
  };
  expect(await openerKept("noopener-allow-popups")).toBe(false);
  expect(await openerKept("same-origin-allow-popups")).toBe(true);
});
