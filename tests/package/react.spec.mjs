// `layers-connect/react` from the packed tarball in a React 19 app built by
// Vite (React's development build, <StrictMode> at the root, which mounts
// every effect twice; a probe checks that it did): rendered on the
// client, and rendered to HTML in Node then hydrated — the case where the
// bare tag's `onlayers-connected` prop never fires (React issue #35446).
// Either way a TikTok connection reaches `onConnected` exactly once.

import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDemo } from "../support/demo-server.mjs";
import { connectTikTok, installInto, pack, root, watchErrors } from "./helpers.mjs";

let packed;
let app;
let demo;

const html = (body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>react consumer</title><link rel="icon" href="data:,"></head>
<body>${body}</body></html>
`;

// The app: plain JS with createElement, so no JSX transform is involved.
const APP = `import { createElement as h, useEffect, useState } from "react";
import { LayersConnect } from "layers-connect/react";

// Which React build the bundle got (Vite replaces process.env.NODE_ENV).
window.__react = { connected: [], statuses: 0, renders: 0, mounts: 0, devBuild: process.env.NODE_ENV === "development" };

// Counts its effect's runs: 2 when Strict Mode double-mounts, as it must here.
function MountProbe() {
  useEffect(() => { window.__react.mounts++; }, []);
  return null;
}

export function App() {
  const [handle, setHandle] = useState(null);
  window.__react.renders++;
  return h("div", null,
    h(MountProbe),
    h("p", { id: "said" }, handle ? "React saw @" + handle : "React is waiting"),
    // New handler functions on every render: the wrapper must neither
    // re-attach nor drop them.
    h(LayersConnect, {
      endpoint: "/api/layers",
      projectId: "prj_demo",
      returnUrl: "/return.html",
      platforms: ["tiktok", "instagram"],
      onConnected: (e) => { window.__react.connected.push(e.detail); setHandle(e.detail.handle); },
      onStatus: () => { window.__react.statuses++; },
    }));
}
`;

test.beforeAll(async () => {
  packed = pack();
  app = installInto(packed.tarball, "lc-react-", ["react", "react-dom"].map((p) => join(root, "node_modules", p)));
  writeFileSync(join(app, "app.js"), APP);
  writeFileSync(join(app, "client.js"), `import { StrictMode, createElement } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.js";
createRoot(document.getElementById("root")).render(createElement(StrictMode, null, createElement(App)));
`);
  writeFileSync(join(app, "hydrate.js"), `import { StrictMode, createElement } from "react";
import { hydrateRoot } from "react-dom/client";
import { App } from "./app.js";
hydrateRoot(document.getElementById("root"), createElement(StrictMode, null, createElement(App)));
`);
  // The server render, in plain Node, of the very same component.
  writeFileSync(join(app, "render.mjs"), `import { StrictMode, createElement } from "react";
import { renderToString } from "react-dom/server";
globalThis.window = { __react: { connected: [], statuses: 0, renders: 0 } }; // app.js counts renders
const { App } = await import("./app.js");
process.stdout.write(renderToString(createElement(StrictMode, null, createElement(App))));
`);
  const ssr = execFileSync(process.execPath, ["render.mjs"], { cwd: app, encoding: "utf8" });
  if (!ssr.includes('<layers-connect endpoint="/api/layers"')) throw new Error(`unexpected server render: ${ssr}`);
  writeFileSync(join(app, "index.html"), html(`<div id="root"></div><script type="module" src="/client.js"></script>`));
  writeFileSync(join(app, "ssr.html"), html(`<div id="root">${ssr}</div><script type="module" src="/hydrate.js"></script>`));
  writeFileSync(join(app, "return.html"), html(`<p id="message">Finishing…</p>
<script type="module">
  import { handleReturn } from "layers-connect/return";
  handleReturn();
</script>`));
  writeFileSync(
    join(app, "vite.config.mjs"),
    `export default { mode: "development", logLevel: "error", build: { minify: false, rollupOptions: { input: { main: "index.html", ssr: "ssr.html", return: "return.html" } } } };\n`,
  );
  // React's development build: only it runs Strict Mode's double mount (and
  // reports hydration mismatches), which is what this spec is about.
  execFileSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", app], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "development" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  demo = await startDemo({ env: { LAYERS_PROXY_WWW_DIR: join(app, "dist") } });
});

test.afterAll(async () => {
  await demo?.stop();
  for (const dir of [app, packed?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const [name, path] of [
  ["rendered on the client", ""],
  ["server-rendered and hydrated", "ssr.html"],
]) {
  test(`<LayersConnect> ${name} in StrictMode: onConnected fires exactly once`, async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto(new URL(path, demo.url).href);
    await expect(page.getByRole("button", { name: "Connect TikTok" })).toBeVisible();
    // React's development build, so Strict Mode did mount the wrapper twice.
    expect(await page.evaluate(() => window.__react.devBuild)).toBe(true);
    expect(await page.evaluate(() => window.__react.mounts)).toBe(2);
    // One element, one widget.
    await expect(page.locator("layers-connect")).toHaveCount(1);
    // The array prop arrived as the attribute's string form.
    await expect(page.locator("layers-connect")).toHaveAttribute("platforms", "tiktok instagram");
    // From here on, count status events as the element dispatches them and
    // as React's onStatus receives them: the same number.
    await page.evaluate(() => {
      window.__domStatuses = 0;
      document.querySelector("layers-connect").addEventListener("layers-status", () => window.__domStatuses++);
      window.__react.statuses = 0;
    });

    const dom = await connectTikTok(page); // exactly one layers-connected on the element
    await expect(page.locator("#said")).toHaveText("React saw @acmecoffee");
    const seen = await page.evaluate(() => ({ ...window.__react, domStatuses: window.__domStatuses }));
    expect(seen.connected).toEqual([dom]);
    expect(seen.domStatuses).toBeGreaterThan(1);
    expect(seen.statuses).toBe(seen.domStatuses);
    expect(errors).toEqual([]);
  });
}
