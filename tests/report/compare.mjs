// Compares navigation → interactive for two or more builds of the widget,
// interleaved: one load of each build in turn, so they share whatever the
// machine is doing at that moment. On a shared machine, sequential report
// runs drift by tens of milliseconds; this is how a change is judged.
//
//   node tests/report/compare.mjs /tmp/dist-a /tmp/dist-b[:/tmp/www-b] [--loads=40] [--page=index.html]
//
// Each argument is a dist/ folder (scripts/build-widget.sh output, copied
// aside), optionally with a demo pages folder after a colon (a variant of
// www/, e.g. other loading hints in index.html's head; default www/). Each
// gets its own demo server (the release demo server, or LAYERS_DEMO_BIN)
// serving them; every load is a fresh browser context, timed as in
// report.mjs: performance.now() when "Connect TikTok" is laid out in the
// shadow root ("interactive"), and when the wasm widget has taken over from
// the first paint ("wasm ready": the first-paint container leaves the shadow
// root, as the widget mounts). Prints the median and quartiles per variant.
// With --control, the report's three control pages (control.mjs) are loaded
// in the same rotation: the inline control (the figure the report's
// interactive target is a ratio to), and the same element as an external
// module, from node:http and from a demo server of its own (the first
// variant's dist/, www/ with the control files added); each variant's ratio
// of medians to each is printed.

import { chromium } from "playwright-core";
import { existsSync } from "node:fs";
import { startDemo } from "../support/demo-server.mjs";
import { startControl, controlPagesDir, MODULE_CONTROL_PAGE } from "./control.mjs";

const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const variants = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const dists = variants.map((v) => v.split(":")[0]);
const wwws = variants.map((v) => v.split(":")[1] ?? null);
const LOADS = Number(option("loads", 40));
const PAGE = option("page", "");
const CONTROL = process.argv.includes("--control");
if (dists.length < 2 || dists.some((d) => !existsSync(`${d}/pkg/layers_connect_bg.wasm`))) {
  console.error("usage: node tests/report/compare.mjs DIST_A[:WWW_A] DIST_B[:WWW_B] [...] [--loads=40] [--page=index.html]");
  process.exit(2);
}
process.env.LAYERS_DEMO_BIN ??= new URL("../../target/release/layers-demo", import.meta.url).pathname;

function hook() {
  const marks = (window.__lcCompare = {});
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const shadow = attach.call(this, init);
    new MutationObserver((records) => {
      const button = [...shadow.querySelectorAll("button")].find((b) => b.textContent.trim() === "Connect TikTok");
      if (button && button.getClientRects().length > 0) marks.interactive ??= performance.now();
      // The widget empties the root as it mounts: the first node removed
      // from the root itself is the first paint's container.
      if (marks.interactive !== undefined && records.some((r) => r.target === shadow && r.removedNodes.length)) {
        marks.wasmReady ??= performance.now();
      }
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
  for (const [i, dist] of dists.entries()) {
    const env = { LAYERS_PROXY_DIST_DIR: dist, RUST_LOG: "warn", ...(wwws[i] ? { LAYERS_PROXY_WWW_DIR: wwws[i] } : {}) };
    demos.push(await startDemo({ env }));
  }
  if (CONTROL) {
    const control = await startControl();
    demos.push({ url: control.url, stop: control.stop, control: "inline control" });
    demos.push({ url: control.moduleUrl, stop: async () => {}, control: "module control (node:http)" });
    const pages = controlPagesDir();
    const env = { LAYERS_PROXY_DIST_DIR: dists[0], LAYERS_PROXY_WWW_DIR: pages.dir, RUST_LOG: "warn" };
    const demo = await startDemo({ env }).catch((e) => (pages.remove(), Promise.reject(e)));
    const stop = () => demo.stop().finally(pages.remove);
    demos.push({ url: new URL(MODULE_CONTROL_PAGE, demo.url).href, stop, control: "module control (demo server)" });
  }
  const samples = demos.map(() => []);
  const ready = demos.map(() => []);
  // The first round warms the servers and the OS file cache, and is discarded.
  for (let round = 0; round <= LOADS; round++) {
    // Each round starts with the next variant, so none is always first.
    for (let k = 0; k < demos.length; k++) {
      const i = (round + k) % demos.length;
      const demo = demos[i];
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(hook);
      const page = await context.newPage();
      await page.goto(demo.control ? demo.url : demo.url + PAGE);
      await page.waitForFunction(
        (control) => (control ? window.__lcCompare.interactive : window.__lcCompare.wasmReady) !== undefined,
        Boolean(demo.control),
        { timeout: 15_000 },
      );
      const marks = await page.evaluate(() => window.__lcCompare);
      if (round > 0) {
        samples[i].push(marks.interactive);
        ready[i].push(marks.wasmReady);
      }
      await context.close();
    }
  }
  const at = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const line = (xs) => `median ${at(xs, 0.5).toFixed(1)} ms, quartiles ${at(xs, 0.25).toFixed(1)}–${at(xs, 0.75).toFixed(1)} ms`;
  const controls = demos.flatMap((d, i) => (d.control ? [{ name: d.control, median: at(samples[i], 0.5) }] : []));
  const ratios = (median) => controls.map((c) => `, ${(median / c.median).toFixed(2)}× the ${c.name}`).join("");
  for (const [i, variant] of variants.entries()) {
    console.log(`${variant}: interactive ${line(samples[i])}${ratios(at(samples[i], 0.5))}; wasm ready ${line(ready[i])}; ${samples[i].length} loads`);
  }
  // Each module control against the inline one: what an external module costs by itself.
  const [inline] = controls;
  for (const [i, demo] of demos.entries()) {
    if (!demo.control) continue;
    const toInline = demo.control === inline.name ? "" : `, ${(at(samples[i], 0.5) / inline.median).toFixed(2)}× the ${inline.name}`;
    console.log(`${demo.control}: interactive ${line(samples[i])}${toInline}`);
  }
} finally {
  await browser.close();
  for (const demo of demos) await demo.stop();
}
