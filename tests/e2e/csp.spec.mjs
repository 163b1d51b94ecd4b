// Under a strict Content-Security-Policy (no inline script or style, fetches
// to the page's own origin only) the element renders styled exactly as on
// the unrestricted demo page, a whole TikTok connection completes, and
// neither the dashboard nor the return page reports a single violation.

import { test, expect } from "@playwright/test";
import { startDemo, freePort } from "../support/demo-server.mjs";
import { startHardenedSite, strictPolicy as policy } from "../support/hardened-site.mjs";
import { connectTikTok, watchErrors } from "../package/helpers.mjs";

// No inline script, no inline style, no data: icon.
const DASHBOARD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hardened dashboard</title>
<script type="module" src="/dist/layers-connect.js"></script>
</head><body>
<layers-connect endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
</body></html>
`;

// Every violation report, on every page of the context (the consent popup
// and its return page too, which close themselves), from the first byte.
// The binding is Playwright's, not a script of the page: the CSP cannot
// block it.
async function recordViolations(context) {
  const violations = [];
  await context.exposeBinding("__lcViolation", ({ page }, v) => violations.push({ url: page.url(), ...v }));
  await context.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => window.__lcViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
      true,
    );
  });
  return violations;
}

// What "styled as designed" means, read from the rendered button and box.
const STYLES = ["background-color", "color", "border-top-left-radius", "border-top-color", "border-top-width", "font-weight", "font-family", "min-height", "padding-left"];
const computed = (page) =>
  page.evaluate((names) => {
    const el = document.querySelector("layers-connect");
    const pick = (node) => Object.fromEntries(names.map((n) => [n, getComputedStyle(node).getPropertyValue(n)]));
    return {
      host: getComputedStyle(el).display,
      button: pick(el.shadowRoot.querySelector("button[part~=tiktok]")),
      root: pick(el.shadowRoot.querySelector("[part~=root]")),
    };
  }, STYLES);

let demo;
let site;

test.beforeAll(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The proxy and its sandbox must accept the hardened site's return page.
  demo = await startDemo({
    env: { LAYERS_PROXY_RETURN_URLS: `${origin}/return.html`, LAYERS_PROXY_ALLOWED_ORIGINS: origin },
  });
  site = await startHardenedSite({
    port,
    upstream: demo.url,
    headers: { "content-security-policy": policy(new URL(demo.sandboxUrl).origin) },
    pages: { "/": DASHBOARD, "/favicon.ico": "" },
  });
});

test.afterAll(async () => {
  await site?.stop();
  await demo?.stop();
});

test("under a strict CSP the widget is styled as designed, connects, and violates nothing", async ({ browser, page, context }) => {
  const violations = await recordViolations(context);
  const errors = watchErrors(page);
  const popupErrors = [];
  context.on("page", (p) => {
    // The return page's errors; the sandbox's consent page is not ours.
    if (p !== page) p.on("console", (m) => m.type() === "error" && p.url().startsWith(site.url) && popupErrors.push(`${p.url()}: ${m.text()}`));
  });
  // The consent popup comes back to this site's return page, served with the
  // same policy.
  const returned = new Promise((resolve) => {
    context.on("request", (r) => r.url().startsWith(`${site.url}return.html`) && resolve(r.url()));
  });

  const response = await page.goto(site.url);
  expect(response.headers()["content-security-policy"]).toContain("style-src 'self'");
  await expect(page.getByRole("button", { name: "Connect TikTok" })).toBeVisible();

  // The same styles as on the unrestricted demo page…
  const unrestricted = await browser.newContext();
  const reference = await unrestricted.newPage();
  await reference.goto(demo.url);
  await expect(reference.getByRole("button", { name: "Connect TikTok" })).toBeVisible();
  const expected = await computed(reference);
  await unrestricted.close();
  const actual = await computed(page);
  expect(actual).toEqual(expected);
  // …which are the widget's, not a browser's default button.
  expect(actual.host).toBe("block");
  expect(actual.button["background-color"]).toBe("rgb(79, 70, 229)");
  expect(actual.button["border-top-left-radius"]).toBe("8px");

  // A whole connection: Allow in the sandbox, back through return.html,
  // "Connected as @acmecoffee" with the account's avatar.
  await connectTikTok(page);
  expect(await returned).toContain("/return.html");
  await expect(page.locator("layers-connect [part~=avatar]")).toBeVisible();

  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
  expect(popupErrors).toEqual([]);

  // The recorder is live: an inline style is reported under this policy.
  await page.evaluate(() => {
    const style = document.createElement("style");
    style.textContent = "body { color: red }";
    document.head.append(style);
  });
  await expect.poll(() => violations.map((v) => v.directive)).toEqual(["style-src-elem"]);
});

test("the return page works under the policy when it stays open", async ({ page, context }) => {
  const violations = await recordViolations(context);
  const errors = watchErrors(page);
  await page.goto(`${site.url}return.html?layers_oauth_error=platform_denied`);
  // Not opened by a script, so it cannot close itself: it says so, styled by
  // its own stylesheet, and strips the code from the address.
  await expect(page.locator("#message")).toContainText("did not complete (platform_denied)");
  await expect(page.locator("#message")).toHaveCSS("color", "rgb(185, 28, 28)");
  expect(new URL(page.url()).search).toBe("");
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
});
