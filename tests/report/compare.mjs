// Compares navigation → interactive for two or more builds of the widget,
// interleaved: one load of each build in turn, so they share whatever the
// machine is doing at that moment. On a shared machine, sequential report
// runs drift by tens of milliseconds; this is how a change is judged.
//
//   node tests/report/compare.mjs /tmp/dist-a /tmp/dist-b [--loads=40] [--page=index.html]
//
// Each argument is a dist/ folder (scripts/build-widget.sh output, copied
// aside). Each gets its own demo server (the release demo server, or
// LAYERS_DEMO_BIN) serving it; every load is a fresh browser context, timed
// as in report.mjs: performance.now() when "Connect TikTok" is laid out in
// the shadow root. Prints the median and quartiles per build.

import { chromium } from "playwright-core";
import { existsSync } from "node:fs";
import { startDemo } from "../support/demo-server.mjs";

const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const dists = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const LOADS = Number(option("loads", 40));
const PAGE = option("page", "");
if (dists.length < 2 || dists.some((d) => !existsSync(`${d}/pkg/layers_connect_bg.wasm`))) {
  console.error("usage: node tests/report/compare.mjs DIST_A DIST_B [...] [--loads=40] [--page=index.html]");
  process.exit(2);
}
process.env.LAYERS_DEMO_BIN ??= new URL("../../target/release/layers-demo", import.meta.url).pathname;

function hook() {
  const marks = (window.__lcCompare = {});
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const shadow = attach.call(this, init);
    new MutationObserver(() => {
      const button = [...shadow.querySelectorAll("button")].find((b) => b.textContent.trim() === "Connect TikTok");
      if (button && button.getClientRects().length > 0) marks.interactive ??= performance.now();
    }).observe(shadow, { childList: true, subtree: true });
    return shadow;
  };
}

const demos = [];
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
try {
  for (const dist of dists) demos.push(await startDemo({ env: { LAYERS_PROXY_DIST_DIR: dist, RUST_LOG: "warn" } }));
  const samples = dists.map(() => []);
  // The first round warms the servers and the OS file cache, and is discarded.
  for (let round = 0; round <= LOADS; round++) {
    for (const [i, demo] of demos.entries()) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(hook);
      const page = await context.newPage();
      await page.goto(demo.url + PAGE);
      await page.waitForFunction(() => window.__lcCompare.interactive !== undefined, null, { timeout: 15_000 });
      if (round > 0) samples[i].push(await page.evaluate(() => window.__lcCompare.interactive));
      await context.close();
    }
  }
  const at = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  for (const [i, dist] of dists.entries()) {
    const xs = samples[i];
    console.log(`${dist}: median ${at(xs, 0.5).toFixed(1)} ms, quartiles ${at(xs, 0.25).toFixed(1)}–${at(xs, 0.75).toFixed(1)} ms, ${xs.length} loads`);
  }
} finally {
  await browser.close();
  for (const demo of demos) await demo.stop();
}
