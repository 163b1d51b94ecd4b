// The published package, as a plain-HTML site uses it: `npm pack` → install
// the tarball → pages that import it by relative URL or through an import map
// → a real TikTok connection through the proxy and its embedded sandbox.

import { test, expect } from "@playwright/test";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDemo } from "../support/demo-server.mjs";
import { connectTikTok, installInto, pack, root, watchErrors } from "./helpers.mjs";

const LIB = "./node_modules/layers-connect/dist/layers-connect.js";
const page = (body, head = "") => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>consumer</title><link rel="icon" href="data:,">${head}</head>
<body>${body}</body></html>
`;

let packed;
let site;
let demo;

test.beforeAll(async () => {
  packed = pack();
  site = installInto(packed.tarball, "lc-html-");
  const files = {
    // The element by relative URL.
    "index.html": page(`<layers-connect endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<script type="module">import "${LIB}";</script>`),
    // The return helper by its bare name, through an import map.
    "return.html": page(
      `<p id="message">Finishing…</p>
<script type="module">
  import { handleReturn } from "layers-connect/return";
  const { closed } = handleReturn();
  if (!closed) document.getElementById("message").textContent = "You can close this tab.";
</script>`,
      `<script type="importmap">{"imports":{"layers-connect":"${LIB}","layers-connect/return":"./node_modules/layers-connect/dist/return.js"}}</script>`,
    ),
    "missing.html": page(`<layers-connect project-id="prj_demo"></layers-connect>
<script type="module">import "${LIB}";</script>`),
    // A second copy of the package under another URL (two bundles that each
    // include it): a second module instance of every file.
    "twice.html": page(`<layers-connect endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<script type="module">
  import { LayersConnectElement as First } from "${LIB}";
  const { LayersConnectElement: Second } = await import("./copy/dist/layers-connect.js");
  window.__twice = { distinct: First !== Second, defined: customElements.get("layers-connect") === First };
</script>`),
    // String overrides, some of them wrong, in a French page.
    "messages.html": page(`<div lang="fr"><layers-connect id="m" endpoint="/api/layers" project-id="prj_demo"></layers-connect></div>
<script type="module">
  import "${LIB}";
  document.getElementById("m").messages = { connect: "Lier {platform}", conect: "typo", tryAgain: 3, cancel: null };
</script>`),
    // Properties set on the element before its class exists.
    "early.html": page(`<layers-connect id="w"></layers-connect>
<script type="module">
  const el = document.getElementById("w");
  el.endpoint = "/api/layers";
  el.projectId = "prj_demo";
  el.returnUrl = "/return.html";
  window.__ownBefore = Object.keys(el);
  await import("${LIB}");
  window.__upgraded = el instanceof customElements.get("layers-connect");
</script>`),
  };
  for (const [name, html] of Object.entries(files)) writeFileSync(join(site, name), html);
  cpSync(join(site, "node_modules/layers-connect"), join(site, "copy"), { recursive: true });
  demo = await startDemo({ env: { LAYERS_PROXY_WWW_DIR: site } });
});

test.afterAll(async () => {
  await demo?.stop();
  for (const dir of [site, packed?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the tarball holds exactly the shipped files", () => {
  // wasm-bindgen writes dist/pkg/snippets/ only when the crate has JS
  // snippets; `files` lists it for that case.
  expect(packed.files.filter((f) => !f.startsWith("dist/pkg/snippets/"))).toEqual([
    "LICENSE-APACHE",
    "LICENSE-MIT",
    "README.md",
    "dist/element.d.ts",
    "dist/element.js",
    "dist/layers-connect.d.ts",
    "dist/layers-connect.js",
    "dist/pkg/layers_connect.js",
    "dist/pkg/layers_connect_bg.wasm",
    "dist/react.d.ts",
    "dist/react.js",
    "dist/return.d.ts",
    "dist/return.js",
    "package.json",
  ]);
  for (const f of packed.files) expect(f).not.toMatch(/^(src|target|tests|js|www|proxy|sandbox|scripts|node_modules)\//);
  // Every file the package's exports name is in it.
  const exported = Object.values(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports)
    .flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)))
    .map((target) => target.replace(/^\.\//, ""));
  expect(exported).toContain("dist/react.d.ts");
  for (const f of exported) {
    expect(packed.files).toContain(f);
  }
});

test("the installed package's types resolve by its bare names (exports, types first)", async () => {
  const { execFileSync } = await import("node:child_process");
  writeFileSync(
    join(site, "check.ts"),
    `import { LayersConnectElement } from "layers-connect";
import { defineLayersConnect } from "layers-connect/element";
import { handleReturn } from "layers-connect/return";
// No React here: the JSX typings must not need it.
const defined: boolean = defineLayersConnect();
void defined;
const el: LayersConnectElement | null = document.querySelector("layers-connect");
el?.addEventListener("layers-connected", (e) => e.detail.socialAccountId.toUpperCase());
const r: { error: string | null; closed: boolean } = handleReturn();
void r;
`,
  );
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const args = ["--noEmit", "--strict", "--module", "esnext", "--moduleResolution", "bundler", "--target", "es2022", "--lib", "dom,es2022", "check.ts"];
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: site, encoding: "utf8" });
  } catch (e) {
    throw new Error(`tsc in the consumer project failed:\n${e.stdout}${e.stderr}`);
  }
  rmSync(join(site, "check.ts"));
});

test("a plain <script type=module> page connects TikTok through the sandbox", async ({ page }) => {
  const errors = watchErrors(page);
  const wasm = page.waitForResponse((r) => r.url().endsWith("/node_modules/layers-connect/dist/pkg/layers_connect_bg.wasm"));
  await page.goto(demo.url);
  expect((await wasm).status()).toBe(200);
  expect((await wasm).headers()["content-type"]).toBe("application/wasm");
  await connectTikTok(page);
  expect(errors).toEqual([]);
});

test("a missing attribute shows a clear message in the element and a console error", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(new URL("missing.html", demo.url).href);
  const invalid = page.locator("layers-connect [data-phase=invalid]");
  await expect(invalid).toBeVisible();
  await expect(invalid).toContainText("endpoint");
  await expect(page.getByRole("button", { name: "Connect TikTok" })).toHaveCount(0);
  await expect.poll(() => errors.some((e) => e.includes("endpoint"))).toBe(true);
});

test("importing the module twice under different URLs is harmless", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(new URL("twice.html", demo.url).href);
  await expect.poll(() => page.evaluate(() => window.__twice)).toEqual({ distinct: true, defined: true });
  await expect(page.getByRole("button", { name: "Connect TikTok" })).toHaveCount(1);
  await connectTikTok(page);
  expect(errors).toEqual([]);
});

test("properties set before the element is defined are applied", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(new URL("early.html", demo.url).href);
  await expect.poll(() => page.evaluate(() => window.__upgraded)).toBe(true);
  // Before the upgrade the values were plain own properties…
  expect(await page.evaluate(() => window.__ownBefore)).toEqual(["endpoint", "projectId", "returnUrl"]);
  // …after it they are attributes, and the widget is configured with them.
  const el = page.locator("#w");
  await expect(el).toHaveAttribute("endpoint", "/api/layers");
  await expect(el).toHaveAttribute("project-id", "prj_demo");
  await expect(el).toHaveAttribute("return-url", "/return.html");
  expect(await page.evaluate(() => Object.keys(document.getElementById("w")))).toEqual([]);
  await expect(page.locator("layers-connect [data-phase=invalid]")).toHaveCount(0);
  // `lang` stays HTMLElement's own property: "" when absent, reflected when set.
  expect(await page.evaluate(() => document.getElementById("w").lang)).toBe("");
  expect(await page.evaluate(() => ((document.getElementById("w").lang = "en"), document.getElementById("w").getAttribute("lang")))).toBe("en");
  await connectTikTok(page);
  expect(errors).toEqual([]);
});

test("messages overrides apply, and each entry that cannot is named on the console", async ({ page }) => {
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  const errors = watchErrors(page);
  await page.goto(new URL("messages.html", demo.url).href);
  // The override wins for every button it names.
  await expect(page.getByRole("button", { name: "Lier TikTok" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Lier Instagram" })).toBeVisible();
  await expect.poll(() => warnings.filter((w) => w.includes("ignoring messages.")).sort()).toEqual([
    expect.stringContaining("messages.conect"),
    expect.stringContaining("messages.tryAgain"),
  ]);
  // Not an object at all: all of it is ignored, with one warning, and the
  // widget carries on in the page's language.
  await page.evaluate(() => (document.getElementById("m").messages = "Lier"));
  await expect(page.getByRole("button", { name: "Connecter TikTok" })).toBeVisible();
  await expect.poll(() => warnings.some((w) => w.includes("must be an object"))).toBe(true);
  expect(errors).toEqual([]);
});
