// Two proxy instances behind one origin, sharing the cookie secret and a real
// redis-server (issue 15, item 5), in a real browser: the page and its
// widget talk to instance A through a small reverse proxy (a load balancer
// that happens to pick A), the sandbox delivers its webhooks to instance B.
// With Redis the nudge reaches A's stream, A polls for the widget and
// "Connected" shows at once;
// with Redis stopped mid-test the widget falls back to polling, and nothing
// else changes. The proxy's own suite tests the same natively
// (proxy-server/tests/redis_instances.rs); this is the browser's side of it.
//
// Started here, each on a free loopback port: redis-server (Debian's,
// /usr/bin/redis-server), target/debug/layers-sandbox and two
// target/debug/layers-proxy (`cargo build -p layers-sandbox -p layers-proxy-server`).

import { spawn } from "node:child_process";
import { createServer, request } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { test as base, expect } from "@playwright/test";
import { freePort } from "../support/demo-server.mjs";
import { recordPolls, sleep } from "./helpers.mjs";
import { recordStreams, recordEvents, approveWithoutReturn, connectedAt, watchConsole, tightGaps } from "./push-helpers.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const COOKIE_SECRET = "a-cookie-secret-shared-by-both-instances-of-this-proxy-0123456789abcdef";
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// The sandbox's fixture key allows this return URL only. Nothing of ours
// serves it: the consent tab's landing there is fulfilled by the test
// (approveWithoutReturn), so the widget never gets a return signal.
const RETURN_URL = "http://127.0.0.1:8080/return.html";

function binary(name) {
  const bin = join(root, "target/debug", name);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build -p layers-sandbox -p layers-proxy-server\``);
  return bin;
}

/** Spawns a process and resolves once a line matches `ready`. */
function launch(command, args, { env = {}, ready, name }) {
  const child = spawn(command, args, { cwd: root, env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs = [];
  const started = new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        for (const line of chunk.split("\n")) {
          if (!line) continue;
          logs.push(line);
          if (ready.test(line)) resolve();
        }
      });
    }
    child.on("exit", (code) => reject(new Error(`${name} exited with ${code}:\n${logs.join("\n")}`)));
    setTimeout(() => reject(new Error(`${name} not ready in 20 s:\n${logs.join("\n")}`)), 20_000).unref();
  });
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  const stop = () =>
    new Promise((resolve) => {
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
    });
  return started.then(() => ({ child, logs, stop }));
}

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

/** The partner's origin: the page, dist/, and /api/layers/* reverse-proxied (streaming) to `upstreamPort`. */
async function front(port, upstreamPort) {
  const page = `<!doctype html><meta charset="utf-8"><title>two instances</title>
<script type="module" src="/dist/layers-connect.js"></script>
<layers-connect id="widget" endpoint="/api/layers" project-id="prj_demo" return-url="${RETURN_URL}"></layers-connect>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path.startsWith("/api/layers/")) {
      const upstream = request({ host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    if (path === "/") return res.writeHead(200, { "content-type": "text/html" }).end(page);
    const file = join(root, path.replace(/^\/dist\//, "dist/"));
    if (path.startsWith("/dist/") && !path.includes("..") && existsSync(file)) {
      return res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Everything, fresh for each test: redis, sandbox → B, A and B, the front → A. */
const test = base.extend({
  rig: async ({}, use) => {
    const [redisPort, sandboxPort, portA, portB, frontPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const redis = await launch("/usr/bin/redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      ready: /Ready to accept connections/,
      name: "redis-server",
    });
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}/`;
    const sandbox = await launch(
      binary("layers-sandbox"),
      ["--port", String(sandboxPort), "--webhook-url", `http://127.0.0.1:${portB}/api/layers/webhooks/layers`, "--webhook-secret", WEBHOOK_SECRET],
      { ready: /^Layers sandbox listening on/, name: "layers-sandbox" },
    );
    const frontUrl = `http://127.0.0.1:${frontPort}`;
    const env = (port) => ({
      PORT: String(port),
      LAYERS_API_BASE: sandboxUrl,
      LAYERS_API_KEY: "lp_test_demo",
      LAYERS_PROXY_COOKIE_SECRET: COOKIE_SECRET,
      LAYERS_PROXY_PROJECTS: "prj_demo",
      LAYERS_PROXY_RETURN_URLS: RETURN_URL,
      LAYERS_PROXY_ALLOWED_ORIGINS: frontUrl,
      LAYERS_PROXY_AUTHORIZE_ORIGINS: sandboxUrl,
      LAYERS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LAYERS_PROXY_REDIS_URL: `redis://127.0.0.1:${redisPort}/`,
      RUST_LOG: "info",
    });
    const a = await launch(binary("layers-proxy"), [], { env: env(portA), ready: /^Layers API:/, name: "instance A" });
    const b = await launch(binary("layers-proxy"), [], { env: env(portB), ready: /^Layers API:/, name: "instance B" });
    const site = await front(frontPort, portA);
    const deliveries = async () => (await (await fetch(new URL("_sandbox/webhooks/deliveries", sandboxUrl))).json()).data;
    await use({ site, redis, a, b, deliveries, portB });
    await site.close();
    for (const p of [a, b, sandbox, redis]) await p.stop();
  },
});

test.describe.configure({ timeout: 60_000 });

async function startAndWaitForFirstPoll(page, rig, polls, streams) {
  await recordEvents(page);
  await page.goto(rig.site.url);
  const popupPromise = page.waitForEvent("popup");
  await page.locator("layers-connect").getByRole("button", { name: "Connect TikTok" }).click();
  const popup = await popupPromise;
  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
  await expect.poll(async () => (await streams())[0]?.events.some((e) => e.type === "ready"), { timeout: 10_000 }).toBe(true);
  await expect.poll(() => polls.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  await sleep(1_000);
  return popup;
}

test("the webhook delivered to B shows Connected on the stream held by A", async ({ page, rig }) => {
  const hygiene = watchConsole(page);
  const polls = await recordPolls(page);
  const streams = await recordStreams(page);
  const popup = await startAndWaitForFirstPoll(page, rig, polls, streams);
  const pollsBefore = polls.length;
  const completed = await approveWithoutReturn(popup, new URL(RETURN_URL).origin);
  const connected = await connectedAt(page);
  expect(connected - completed, "Connected long before the next 5 s poll").toBeLessThan(2_000);
  // A heard B's nudge over Redis and polled for the widget (the check):
  // its stream carried the outcome, and the browser polled no more.
  const status = (await streams())[0].events.find((e) => e.type === "status");
  expect(JSON.parse(status.data).status).toBe("completed");
  expect(polls.length).toBe(pollsBefore);
  // The webhook went to B, and B took it.
  const delivered = (await rig.deliveries()).filter((d) => d.delivered);
  expect(delivered.map((d) => new URL(d.url).port)).toEqual([String(rig.portB)]);
  await expect(page.locator("layers-connect .lc-root")).toHaveAttribute("data-phase", "connected");
  hygiene.expectClean();
});

test("with Redis stopped mid-wait the widget falls back to polling; nothing else changes", async ({ page, rig }) => {
  const hygiene = watchConsole(page);
  const polls = await recordPolls(page);
  const streams = await recordStreams(page);
  const popup = await startAndWaitForFirstPoll(page, rig, polls, streams);
  await rig.redis.stop();
  const completed = await approveWithoutReturn(popup, new URL(RETURN_URL).origin);
  const connected = await connectedAt(page);
  // B got the webhook, but A cannot hear it: the next poll by the floor says so.
  expect((await rig.deliveries()).some((d) => d.delivered)).toBe(true);
  expect(connected - completed).toBeGreaterThan(2_000);
  expect(connected - completed).toBeLessThan(6_000);
  expect(tightGaps(polls)).toEqual([]);
  expect((await streams())[0].events.filter((e) => e.type === "nudge" || e.type === "status")).toEqual([]);
  const failed = await page.evaluate(() => window.__lcEvents.filter((e) => e.type === "layers-failed"));
  expect(failed).toEqual([]);
  // Both instances kept serving, and said why the nudge did not cross.
  expect(rig.a.child.exitCode).toBeNull();
  expect(rig.b.child.exitCode).toBeNull();
  await expect.poll(() => [...rig.a.logs, ...rig.b.logs].some((l) => l.includes("Redis unavailable")), { timeout: 10_000 }).toBe(true);
  hygiene.expectClean();
});
