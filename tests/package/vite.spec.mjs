// The published package in a Vite app: `npm pack` → install the tarball →
// `import "layers-connect"` → `vite build` (the repository's Vite) → the
// built app served by the demo server → a real TikTok connection.

import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDemo } from "../support/demo-server.mjs";
import { connectTikTok, installInto, pack, root, watchErrors } from "./helpers.mjs";

let packed;
let app;
let built;
let demo;

test.beforeAll(async () => {
  packed = pack();
  app = installInto(packed.tarball, "lc-vite-");
  const html = (body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vite consumer</title><link rel="icon" href="data:,"></head>
<body>${body}</body></html>
`;
  writeFileSync(join(app, "index.html"), html(`<layers-connect endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<script type="module" src="/main.js"></script>`));
  writeFileSync(join(app, "main.js"), `import "layers-connect";\n`);
  writeFileSync(join(app, "return.html"), html(`<p id="message">Finishing…</p>
<script type="module">
  import { handleReturn } from "layers-connect/return";
  handleReturn();
</script>`));
  writeFileSync(
    join(app, "vite.config.mjs"),
    `export default { logLevel: "warn", build: { rollupOptions: { input: { main: "index.html", return: "return.html" } } } };\n`,
  );
  execFileSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", app], {
    cwd: app,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  built = join(app, "dist");
  demo = await startDemo({ env: { LAYERS_PROXY_WWW_DIR: built } });
});

test.afterAll(async () => {
  await demo?.stop();
  for (const dir of [app, packed?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test("vite build emits the wasm once, byte for byte, and the bundle points at it", () => {
  const assets = readdirSync(join(built, "assets"));
  const wasm = assets.filter((f) => f.endsWith(".wasm"));
  expect(wasm).toHaveLength(1);
  expect(readFileSync(join(built, "assets", wasm[0])).equals(readFileSync(join(root, "dist/pkg/layers_connect_bg.wasm")))).toBe(true);
  const js = assets.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(built, "assets", f), "utf8")).join("\n");
  expect(js).toContain(`/assets/${wasm[0]}`);
  // The return page's chunk does not pull the widget (nor its wasm) in.
  const returnChunk = assets.find((f) => f.startsWith("return-") && f.endsWith(".js"));
  expect(returnChunk).toBeTruthy();
  expect(readFileSync(join(built, "assets", returnChunk), "utf8")).not.toContain(".wasm");
});

test("the Vite-built app loads the wasm and connects TikTok through the sandbox", async ({ page }) => {
  const errors = watchErrors(page);
  const wasm = page.waitForResponse((r) => /\/assets\/[^/]+\.wasm$/.test(r.url()));
  await page.goto(demo.url);
  expect((await wasm).status()).toBe(200);
  expect((await wasm).headers()["content-type"]).toBe("application/wasm");
  await connectTikTok(page);
  expect(errors).toEqual([]);
});
