// The browser soak (issue 14): one page that a customer keeps open all day.
// 500 mount/remove cycles of an idle <layers-connect> and 100 full connects
// (TikTok and Instagram alternating, each a real round trip through a consent
// tab), then: the JS heap, DOM nodes and event listeners are back near their
// baseline, nothing reaches the proxy after the last removal, no console
// error, no page error, and the sandbox never answered 429.

import { test as demoTest, expect, startInTab, consent, expectNoRateLimited, sleep } from "./helpers.mjs";
import { startDemo } from "../support/demo-server.mjs";

// 100 mints from one browser session within a few minutes. The proxy's
// per-session limit (default 10 per 600 s) is raised to 150 per 600 s: above
// the 100 + 2 warm-up mints, still a limit.
const SERVER_ENV = { LAYERS_PROXY_MINT_LIMIT: "150", LAYERS_PROXY_MINT_WINDOW_SECONDS: "600" };
// The embedded sandbox's per-key budgets are not environment settings of the
// demo server; they are set through /_sandbox/settings after the reset. The
// write budget (default 60 mints per 60 s window) would refuse a fast run;
// the read budget (600 per 60 s) is raised alike. The per-state poll budget
// (3 burst, 1 per 5 s) stays as it is: the widget must never trip it.
const SANDBOX_SETTINGS = { writeBudget: 1_000, readBudget: 10_000, budgetWindowSeconds: 60 };

const CYCLES = 500;
const CONNECTS = 100;
// Idle mount/remove cycles between two connects: the cycles and the connects
// interleave, as on a dashboard that re-renders while customers connect.
const CYCLES_PER_CONNECT = CYCLES / CONNECTS;
const PLATFORMS = [
  { label: "TikTok", platform: "tiktok", handle: "acmecoffee" },
  { label: "Instagram", platform: "instagram", handle: "acme.coffee" },
];

// Tolerances, end minus baseline (baseline: after one idle cycle and one
// connect of each platform; both measured after forced collections). Measured
// over 8 clean runs on this 2-CPU machine (2026-12-01): JS heap 1.95-2.11 MB
// -> 2.60-2.61 MB (+0.49 to +0.66 MB, most of it in the first ten rounds,
// then about 2.5 KB per connect; idle cycles alone stay flat over 2,000),
// DOM nodes 137 -> 137, window listeners +1 and JS listeners +1 (the test's
// own layers-connected listener), document listeners +0, documents 1 -> 1.
// The leaks SOAK_PROVE_LEAK injects in this page each fail it by far (600
// mounts in all): "listener" (one window listener per mount, holding only
// the id) +600 window listeners; "element" (a global array of removed
// elements) and "closure" (closures holding them) +1,800 nodes. The heap
// bound is the coarse one: those two leaks add only about 0.1 MB of heap,
// within it; it is there for leaks of about 0.6 KB per mount or more.
const HEAP_TOLERANCE_BYTES = 1 * 1024 * 1024;
const NODE_TOLERANCE = 50;
const LISTENER_TOLERANCE = 5;
// Poll floor 5 s: watching twice that proves no timer survived the removal.
const QUIET_AFTER_REMOVAL_MS = 11_000;

const test = demoTest.extend({
  server: [
    async ({}, use) => {
      const server = await startDemo({ env: SERVER_ENV });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
});

/** In the page: mounts, waits until rendered, removes; the leak hooks prove the checks fail. */
const PAGE_HELPERS = (leak) => {
  const host = document.createElement("div");
  host.id = "soak";
  document.body.append(host);
  window.__soakRetained = [];
  // Deliberate leaks, only under SOAK_PROVE_LEAK, to show the checks catch
  // them. Each closure is made in its own scope, so that "listener" holds
  // only the id string, not the element (V8 shares one context per scope).
  const listenerHolding = (id) => () => void id;
  const closureHolding = (el) => () => el.id;
  const injectLeak = (id, el) => {
    if (leak === "listener") window.addEventListener("message", listenerHolding(id));
    if (leak === "element") window.__soakRetained.push(el);
    if (leak === "closure") window.__soakRetained.push(closureHolding(el));
  };
  const rendered = (el) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const check = () => {
        if (el.shadowRoot?.querySelector(".lc-root")?.dataset.phase) resolve();
        else if (performance.now() - started > 10_000) reject(new Error(`${el.id} did not render in 10 s`));
        else setTimeout(check, 1);
      };
      check();
    });
  window.__soakMount = async (id) => {
    const el = document.createElement("layers-connect");
    el.id = id;
    el.setAttribute("endpoint", "/api/layers");
    el.setAttribute("project-id", "prj_demo");
    el.setAttribute("return-url", "/return.html");
    host.append(el);
    await rendered(el);
    injectLeak(id, el);
  };
  window.__soakRemove = (id) => document.getElementById(id).remove();
  window.__soakCycles = async (from, count) => {
    for (let i = from; i < from + count; i += 1) {
      await window.__soakMount(`soak-idle-${i}`);
      window.__soakRemove(`soak-idle-${i}`);
      // The element frees its widget in a microtask after the removal.
      await new Promise((r) => setTimeout(r, 0));
    }
  };
};

/** GC, then the heap, DOM counters, window/document listeners and the wasm instance's memory. */
async function measure(page, cdp) {
  // The recorder of helpers.mjs keeps every widget event; not the widget's memory.
  await page.evaluate(() => (window.__lcEvents.length = 0));
  // Twice, with a pause: wasm-bindgen frees closures from a FinalizationRegistry
  // callback, which runs after a collection.
  for (let i = 0; i < 3; i += 1) {
    await cdp.send("HeapProfiler.collectGarbage");
    await sleep(100);
  }
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const { nodes, jsEventListeners, documents } = await cdp.send("Memory.getDOMCounters");
  const listenersOn = async (expression) => {
    const { result } = await cdp.send("Runtime.evaluate", { expression });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
    await cdp.send("Runtime.releaseObject", { objectId: result.objectId });
    return listeners.length;
  };
  const windowListeners = await listenersOn("window");
  const documentListeners = await listenersOn("document");
  const wasm = await page.evaluate(async () => {
    // The glue's init returns the already instantiated exports.
    const glue = await import("/dist/pkg/layers_connect.js");
    const exports = await glue.default();
    return { memory: exports.memory.buffer.byteLength, externrefs: exports.__wbindgen_externrefs.length };
  });
  return { usedSize, nodes, jsEventListeners, documents, windowListeners, documentListeners, wasm };
}

test("soak: 500 mount/remove cycles and 100 connects leave no heap, listeners, nodes or requests behind", async ({
  page,
  context,
  server,
  sandbox,
}) => {
  test.setTimeout(300_000);
  const began = Date.now();
  await sandbox.settings(SANDBOX_SETTINGS);

  // Every console error and page error, in the page and in each consent tab.
  // One exception: the browser's own favicon request for the sandbox's
  // consent page (plain HTML, no icon link): Chromium asks the sandbox for
  // /favicon.ico once, the sandbox answers 404 and Chromium logs "Failed to
  // load resource". Neither the widget nor the partner's page sent it.
  const problems = [];
  const favicons = [];
  const watch = (p, name) => {
    p.on("console", (m) => {
      if (m.type() !== "error") return;
      const at = m.location()?.url ?? "";
      if (at === new URL("favicon.ico", server.sandboxUrl).href && m.text().startsWith("Failed to load resource")) favicons.push(at);
      else problems.push(`${name} console.error: ${m.text()} at ${at}`);
    });
    p.on("pageerror", (e) => problems.push(`${name} pageerror: ${e.message}`));
  };
  watch(page, "page");
  context.on("page", (p) => watch(p, "tab"));
  // Every request to the proxy, from any tab.
  const proxyRequests = [];
  context.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/layers/")) proxyRequests.push({ url: r.url(), at: Date.now() });
  });

  await page.goto(server.url);
  await expect(page.locator("#widget .lc-root")).toHaveAttribute("data-phase", /.+/);
  await page.evaluate(PAGE_HELPERS, process.env.SOAK_PROVE_LEAK ?? null);

  let connects = 0;
  const connectOnce = async () => {
    const p = PLATFORMS[connects % 2];
    const id = `soak-connect-${connects}`;
    connects += 1;
    await page.evaluate((id) => window.__soakMount(id), id);
    const popup = await startInTab(page, p.label, `#${id}`);
    await consent(popup, "Allow");
    await expect(page.locator(`#${id} [part~="connected"]`)).toHaveText(`Connected as @${p.handle}`);
    await page.evaluate((id) => window.__soakRemove(id), id);
  };

  // Warm-up: one idle cycle and one connect per platform, so that the baseline
  // already has the wasm instance, its allocator's pages and the code paths.
  await page.evaluate(() => window.__soakCycles(-1, 1));
  await connectOnce();
  await connectOnce();
  connects = 0;
  const cdp = await context.newCDPSession(page);
  const baseline = await measure(page, cdp);
  const warmedUp = Date.now();

  const connectedEvents = [];
  await page.exposeFunction("__soakConnected", (detail) => connectedEvents.push(detail));
  await page.evaluate(() =>
    window.addEventListener("layers-connected", (e) => e.target.id.startsWith("soak-connect-") && window.__soakConnected(e.detail)),
  );
  // The recorder listener above is the test's own: one more on window, counted below.
  for (let round = 0; round < CONNECTS; round += 1) {
    await page.evaluate(([from, count]) => window.__soakCycles(from, count), [round * CYCLES_PER_CONNECT, CYCLES_PER_CONNECT]);
    await connectOnce();
  }
  const soaked = Date.now();
  const removedAt = Date.now();
  const sandboxBefore = (await sandbox.requests()).length;

  // Nothing after the last removal: no request from the page or any tab, and
  // nothing new in the sandbox's log, for longer than two poll floors.
  await sleep(QUIET_AFTER_REMOVAL_MS);
  const after = proxyRequests.filter((r) => r.at > removedAt);
  expect(after, "requests to the proxy after the last removal").toEqual([]);
  expect((await sandbox.requests()).length, "sandbox requests after the last removal").toBe(sandboxBefore);

  const end = await measure(page, cdp);
  const figures = {
    heapMB: [baseline.usedSize, end.usedSize].map((b) => +(b / 1024 / 1024).toFixed(2)),
    nodes: [baseline.nodes, end.nodes],
    jsEventListeners: [baseline.jsEventListeners, end.jsEventListeners],
    windowListeners: [baseline.windowListeners, end.windowListeners],
    documentListeners: [baseline.documentListeners, end.documentListeners],
    documents: [baseline.documents, end.documents],
    wasmMemoryKB: [baseline.wasm.memory / 1024, end.wasm.memory / 1024],
    externrefTable: [baseline.wasm.externrefs, end.wasm.externrefs],
    warmUpS: (warmedUp - began) / 1000,
    soakS: (soaked - warmedUp) / 1000,
    perConnectMs: Math.round((soaked - warmedUp) / CONNECTS),
  };
  console.log(`favicon 404s ignored: ${favicons.join(" ")} (demo ${server.url}, sandbox ${server.sandboxUrl})`);
  console.log(`soak figures (baseline, end): ${JSON.stringify(figures)}`);
  test.info().annotations.push({ type: "soak", description: JSON.stringify(figures) });

  // Every connect was real: the widget saw 100 connections, alternating.
  expect(connectedEvents.map((d) => d.platform)).toEqual(Array.from({ length: CONNECTS }, (_, i) => PLATFORMS[i % 2].platform));
  const mints = await sandbox.mints();
  expect(mints).toHaveLength(CONNECTS + 2);
  expect(mints.every((m) => m.status === 200)).toBe(true);

  const delta = (k) => end[k] - baseline[k];
  expect(delta("usedSize"), `heap growth in bytes ${JSON.stringify(figures)}`).toBeLessThan(HEAP_TOLERANCE_BYTES);
  expect(delta("nodes"), `DOM node growth ${JSON.stringify(figures)}`).toBeLessThanOrEqual(NODE_TOLERANCE);
  // +1: the test's own layers-connected listener on window, added after the baseline.
  expect(delta("windowListeners") - 1, `window listener growth ${JSON.stringify(figures)}`).toBeLessThanOrEqual(LISTENER_TOLERANCE);
  expect(delta("documentListeners"), `document listener growth ${JSON.stringify(figures)}`).toBeLessThanOrEqual(LISTENER_TOLERANCE);
  expect(delta("jsEventListeners") - 1, `JS listener growth ${JSON.stringify(figures)}`).toBeLessThanOrEqual(LISTENER_TOLERANCE);
  // Every consent tab closed: the page's own document (and no leftover frames).
  expect(end.documents, `documents ${JSON.stringify(figures)}`).toBeLessThanOrEqual(baseline.documents);

  expect(problems, "console errors and page errors").toEqual([]);
  await expectNoRateLimited(sandbox);
});

// The widget's own memory is wasm linear memory, outside the JS heap above.
// It can only grow, so growth is what leaks show as: 500 idle mount/remove
// cycles should fit in the pages the warm-up already has (at most one more
// 64 KB page). It used to grow about 1 KB per cycle, linearly (+448 to
// +512 KB per 500 cycles, with the JS heap, nodes and listeners flat): the
// element's two signals were made with no owner and never disposed
// (src/element.rs now gives them one).
test("soak: 500 idle mount/remove cycles leave the wasm memory where it was", async ({ page, context, server }) => {
  test.setTimeout(90_000);
  await page.goto(server.url);
  await expect(page.locator("#widget .lc-root")).toHaveAttribute("data-phase", /.+/);
  await page.evaluate(PAGE_HELPERS, null);
  await page.evaluate(() => window.__soakCycles(-10, 10));
  const cdp = await context.newCDPSession(page);
  const baseline = await measure(page, cdp);
  await page.evaluate((count) => window.__soakCycles(0, count), CYCLES);
  const end = await measure(page, cdp);
  console.log(`wasm memory KB (baseline, end): ${baseline.wasm.memory / 1024}, ${end.wasm.memory / 1024}`);
  expect(end.wasm.memory - baseline.wasm.memory).toBeLessThanOrEqual(64 * 1024);
});
