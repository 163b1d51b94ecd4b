// examples/vite, the multi-page Vite recipe, with the packed tarball:
// `vite build` (the dashboard and return.html as two inputs), then
// `vite preview` and `vite` (dev), each forwarding /api/layers to the demo
// server (the reference proxy in front of its embedded sandbox) through
// its `proxy` setting. A TikTok connection completes on each, and
// return.html closes its tab.

import { test, expect } from "@playwright/test";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, startDemo } from "../support/demo-server.mjs";
import { connectTikTok, pack, watchErrors } from "../package/helpers.mjs";
import { exampleDir, installExample, runExample, serveExample } from "./helpers.mjs";

const app = exampleDir("vite");
const VITE = "vite/bin/vite.js";

let packed;
let demo;
let proxyUrl;
let ports;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  packed = pack();
  installExample(app, packed.tarball);
  ports = { preview: await freePort(), dev: await freePort() };
  const origins = Object.values(ports).map((p) => `http://127.0.0.1:${p}`);
  demo = await startDemo({
    env: {
      LAYERS_PROXY_RETURN_URLS: origins.map((o) => `${o}/return.html`).join(","),
      LAYERS_PROXY_ALLOWED_ORIGINS: origins.join(","),
    },
  });
  proxyUrl = demo.url.replace(/\/$/, "");
  runExample(app, VITE, ["build", "--logLevel", "warn"], proxyUrl);
});

test.afterAll(async () => {
  await demo?.stop();
  if (packed) rmSync(packed.dir, { recursive: true, force: true });
});

test("vite build: two pages, and the return page's code has no wasm", () => {
  const dist = join(app, "dist");
  expect(existsSync(join(dist, "index.html"))).toBe(true);
  expect(existsSync(join(dist, "return.html"))).toBe(true);
  const assets = readdirSync(join(dist, "assets"));
  expect(assets.filter((f) => f.endsWith(".wasm"))).toHaveLength(1);
  const returnHtml = readFileSync(join(dist, "return.html"), "utf8");
  const scripts = [...returnHtml.matchAll(/src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const file of scripts) expect(readFileSync(join(dist, "assets", file), "utf8")).not.toContain(".wasm");
});

for (const [name, args] of [
  ["vite preview", ["preview"]],
  ["vite (dev)", []],
]) {
  test(`${name}: TikTok connects through the proxy setting, one layers-connected`, async ({ page }) => {
    const port = ports[args[0] ?? "dev"];
    const server = await serveExample(app, VITE, [...args, "--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
      port,
      proxyUrl,
      readyPath: "return.html",
    });
    try {
      const errors = watchErrors(page);
      await page.goto(server.url);
      const before = demo.logs.length;
      await connectTikTok(page);
      await expect(page.locator("#connected-count")).toHaveText("Connected: 1 (@acmecoffee)");
      expect(demo.logs.slice(before).join("\n")).toMatch(/oauth-url/);
      expect(errors).toEqual([]);
    } finally {
      await server.stop();
    }
  });
}
