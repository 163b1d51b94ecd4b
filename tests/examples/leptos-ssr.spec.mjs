// examples/leptos-ssr, a Leptos 0.8 SSR + hydrate app on axum (the
// cargo-leptos layout), built by scripts/build-leptos-ssr.sh (npm test
// runs it in step 2). Its server mounts the reference proxy at /api/layers
// and talks to the sandbox embedded in the demo server (only the sandbox:
// the demo's own proxy is not used). The server's HTML already has the
// buttons before any wasm runs, and a misconfigured widget's message; after
// hydration a TikTok connection completes, the return page
// (/connect/return) closes its tab, on_connected runs once, and the console
// has no error and no hydration warning.

import { test, expect } from "@playwright/test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort, startDemo } from "../support/demo-server.mjs";
import { root, watchErrors } from "../package/helpers.mjs";
import { consent, sandboxOf } from "../e2e/helpers.mjs";
import { serveProgram } from "./helpers.mjs";

const binary = join(root, "target/debug/layers-leptos-ssr");
const site = join(root, "target/site/leptos-ssr");

let demo;
let app;

test.beforeAll(async () => {
  for (const built of [binary, join(site, "pkg/layers_leptos_ssr_bg.wasm")]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`bash scripts/build-leptos-ssr.sh\` (npm test does)`);
  }
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The demo copies its return URLs into its sandbox key's allowlist.
  demo = await startDemo({ env: { LAYERS_PROXY_RETURN_URLS: `${origin}/connect/return` } });
  app = await serveProgram(binary, [], {
    name: "layers-leptos-ssr",
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      LAYERS_API_BASE: demo.sandboxUrl,
      LAYERS_API_KEY: "lp_test_demo",
      // The sandbox's consent pages are on its own origin, not TikTok's.
      LAYERS_AUTHORIZE_ORIGIN: new URL(demo.sandboxUrl).origin,
      LEPTOS_SITE_ROOT: site,
    },
    port,
    readyPath: "connect/return",
  });
});

test.afterAll(async () => {
  await app?.stop();
  await demo?.stop();
});

/** Console errors, page errors, and any console line about hydration. */
function watchHydration(page) {
  const errors = watchErrors(page);
  page.on("console", (m) => m.type() !== "error" && /hydrat/i.test(m.text()) && errors.push(`${m.type()}: ${m.text()}`));
  return errors;
}

test("the server's HTML has the buttons before any wasm runs", async ({ request }) => {
  const response = await request.get(app.url);
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain("Connect TikTok");
  expect(html).toContain("Connect Instagram");
  const root = html.match(/<div [^>]*part="root"[^>]*>/)?.[0];
  expect(root).toContain('data-phase="idle"');
  expect(root).toContain('class="lc-root"');
  // What hydrates it: the script HydrationScripts writes, and the files it names.
  expect(html).toContain("/pkg/layers_leptos_ssr.js");
  for (const file of ["layers_leptos_ssr.js", "layers_leptos_ssr_bg.wasm"]) {
    expect((await request.get(`${app.url}pkg/${file}`)).status(), file).toBe(200);
  }
});

test("a misconfigured widget says what is wrong in the server's HTML, and after hydration", async ({ request, page }) => {
  const response = await request.get(`${app.url}misconfigured`);
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('data-phase="invalid"');
  expect(html).toContain("the `endpoint` attribute is required");
  expect(html).not.toContain("Connect TikTok");

  const errors = watchHydration(page);
  await page.goto(`${app.url}misconfigured`);
  await expect(page.locator("main")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("alert")).toContainText("the `endpoint` attribute is required");
  await expect(page.getByRole("button")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("after hydration TikTok connects through the app's own /api/layers", async ({ page }) => {
  const errors = watchHydration(page);
  await page.goto(app.url);
  // Set by an effect, which runs only once the page is hydrated.
  await expect(page.locator("main")).toHaveAttribute("data-hydrated", "true");
  const calls = [];
  page.on("request", (r) => r.url().includes("/api/layers/") && calls.push(`${r.method()} ${r.url()}`));
  const [popup] = await Promise.all([
    page.waitForEvent("popup", { timeout: 15_000 }),
    page.getByRole("button", { name: "Connect TikTok" }).click(),
  ]);
  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
  await consent(popup);
  await expect(page.locator(".lc-root [part~=connected]")).toContainText("Connected as @acmecoffee");
  await page.waitForTimeout(200); // a second on_connected would arrive by now
  await expect(page.locator("#connected")).toHaveText("Connected: 1 (acmecoffee)");
  await expect(page.locator("#failed")).toHaveText("");
  // The widget talked only to the app's origin; the app's proxy minted at the sandbox.
  expect(calls[0]).toBe(`POST ${app.url}api/layers/projects/prj_demo/social/oauth-url`);
  expect(calls.every((c) => c.includes(` ${app.url}api/layers/`))).toBe(true);
  expect(await sandboxOf(demo).mints()).toHaveLength(1);
  expect(app.logs.join("")).not.toContain("lp_test_demo");
  expect(errors).toEqual([]);
});
