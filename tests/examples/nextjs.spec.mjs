// examples/nextjs, the Next.js App Router dashboard, with the packed
// tarball: `next build` + `next start` against the demo server (the
// reference proxy in front of its embedded sandbox), reached through the
// app's /api/layers rewrite. The server's HTML already has the tag; the
// page loads without a console or page error; the element upgrades; a
// TikTok connection completes, the return page (/connect/return) closes its
// tab, and the React handler runs exactly once. Then the same under
// `next dev`, where Strict Mode mounts every effect twice.

import { test, expect } from "@playwright/test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, startDemo } from "../support/demo-server.mjs";
import { connectTikTok, pack, watchErrors } from "../package/helpers.mjs";
import { exampleDir, installExample, runExample, serveExample } from "./helpers.mjs";

const app = exampleDir("nextjs");
const NEXT = "next/dist/bin/next";
/** `next start` / `next dev` on 127.0.0.1:port; ready when the return page answers. */
const serveNext = (command, port) =>
  serveExample(app, NEXT, [command, "-p", String(port), "-H", "127.0.0.1"], { port, proxyUrl, readyPath: "connect/return" });

let packed;
let demo;
let proxyUrl;
let ports;
let prod;

test.beforeAll(async () => {
  // A cold run installs next (about 25 s) and builds from scratch.
  test.setTimeout(300_000);
  packed = pack();
  const install = installExample(app, packed.tarball);
  ports = { start: await freePort(), dev: await freePort() };
  const origins = Object.values(ports).map((p) => `http://127.0.0.1:${p}`);
  // The proxy's return-URL allowlist is also the embedded sandbox's (the
  // demo copies it into every sandbox key), so one setting serves both.
  demo = await startDemo({
    env: {
      LAYERS_PROXY_RETURN_URLS: origins.map((o) => `${o}/connect/return`).join(","),
      LAYERS_PROXY_ALLOWED_ORIGINS: origins.join(","),
    },
  });
  proxyUrl = demo.url.replace(/\/$/, "");
  // Every time: the proxy URL is baked into the rewrites at build time and
  // changes with each run's demo port. Turbopack's cache in .next/ keeps a
  // rebuild short.
  const buildMs = runExample(app, NEXT, ["build"], proxyUrl);
  prod = await serveNext("start", ports.start);
  console.log(
    `[nextjs] npm install: ${install.installed ? `${install.ms} ms` : "unchanged, skipped"}; next build: ${buildMs} ms`,
  );
});

test.afterAll(async () => {
  await prod?.stop();
  await demo?.stop();
  if (packed) rmSync(packed.dir, { recursive: true, force: true });
});

/**
 * The dashboard in `page`: no errors, upgraded, one connection, one
 * onConnected. Returns how often the page added and removed a
 * `layers-connected` listener on the element before the connection: the
 * wrapper's effect, once per mount (Strict Mode in development mounts,
 * unmounts and mounts again).
 */
async function connectOnDashboard(page, url) {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    const mounts = (window.__listeners = { added: 0, removed: 0 });
    const count = (name, key) => {
      const original = EventTarget.prototype[name];
      EventTarget.prototype[name] = function (type, ...rest) {
        if (type === "layers-connected" && this instanceof Element && this.localName === "layers-connect") mounts[key]++;
        return original.call(this, type, ...rest);
      };
    };
    count("addEventListener", "added");
    count("removeEventListener", "removed");
  });
  await page.goto(url);
  // Upgraded: the tag is an instance of the defined class and renders its buttons.
  await expect(page.getByRole("button", { name: "Connect TikTok" })).toBeVisible();
  expect(
    await page.evaluate(() => document.querySelector("layers-connect") instanceof customElements.get("layers-connect")),
  ).toBe(true);
  await expect(page.locator("#connected-count")).toHaveText("onConnected calls: 0");
  const listeners = await page.evaluate(() => ({ ...window.__listeners }));

  const dom = await connectTikTok(page); // exactly one layers-connected on the element
  await expect(page.locator("#connected-count")).toHaveText("onConnected calls: 1");
  await expect(page.locator("#connected-log li")).toHaveText([`tiktok @acmecoffee (${dom.socialAccountId})`]);
  await page.waitForTimeout(300); // a second call would have rendered by now
  await expect(page.locator("#connected-count")).toHaveText("onConnected calls: 1");
  expect(errors).toEqual([]);
  return listeners;
}

test("next start: server-rendered dashboard, TikTok connect through the rewrite, onConnected once", async ({ page }) => {
  // Strict Mode is on in the build under test.
  const { config } = JSON.parse(readFileSync(join(app, ".next/required-server-files.json"), "utf8"));
  expect(config.reactStrictMode).toBe(true);

  // The server's HTML has the tag with its attributes before any script runs.
  const html = await (await fetch(prod.url)).text();
  const tag = html.match(/<layers-connect [^>]*>/)?.[0] ?? "";
  expect(tag).toContain('endpoint="/api/layers"');
  expect(tag).toContain('project-id="prj_demo"');
  expect(tag).toContain('return-url="/connect/return"');

  const before = demo.logs.length;
  // Production React: one mount.
  expect(await connectOnDashboard(page, prod.url)).toEqual({ added: 1, removed: 0 });
  // The mint and the polls went through the rewrite to the reference proxy.
  const proxied = demo.logs.slice(before).join("\n");
  expect(proxied).toMatch(/oauth-url/);
  expect(proxied).toMatch(/oauth-status/);
  expect(prod.logs.join("")).not.toMatch(/Failed to proxy/);
});

test("next dev: Strict Mode's double mount still gives one onConnected", async ({ page }) => {
  test.setTimeout(180_000);
  const dev = await serveNext("dev", ports.dev);
  try {
    // Development React with Strict Mode: mounted, unmounted, mounted again.
    expect(await connectOnDashboard(page, dev.url)).toEqual({ added: 2, removed: 1 });
  } finally {
    await dev.stop();
  }
});
