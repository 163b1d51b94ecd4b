// Where a load's milliseconds to "interactive" go, from the page's own
// navigation and resource timing entries and the init script's marks around
// customElements.define (report.mjs). Every time is performance.now() ms
// after navigation start, so the steps of one load can be read in order:
// the HTML's response end, each element module's fetch (when the browser
// found it, when the request went out, when the response ended; the JSON
// also has its connection's start and end, equal to the fetch's start when
// a kept-alive connection was reused, and its response start), the
// element's define (called once its module has evaluated; it returns once
// the upgrade, first paint included, has run), and the laid-out button.

import { r1, stats } from "./stats.mjs";

/** The element modules each page loads, by URL path (none for the inline control). */
export const MODULES = {
  widget: ["/dist/layers-connect.js", "/dist/element.js"],
  moduleControl: ["/control-element.js"],
  inlineControl: [],
};

/**
 * Runs in the page (page.evaluate) after the button is interactive and
 * DOMContentLoaded has fired: one load's timings.
 * @param {string[]} modules URL paths of the element's modules
 */
export function pageTimings(modules) {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const fetchOf = (path) => {
    const e = resources.find((r) => new URL(r.name).pathname === path);
    if (!e) return null;
    const { startTime, connectStart, connectEnd, requestStart, responseStart, responseEnd } = e;
    return { startTime, connectStart, connectEnd, requestStart, responseStart, responseEnd };
  };
  const marks = window.__lcReport;
  return {
    interactive: marks.interactive,
    htmlResponseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    defineStart: marks.defineStart,
    defineEnd: marks.defineEnd,
    modules: Object.fromEntries(modules.map((path) => [path, fetchOf(path)])),
    wasmResponseEnd: resources.find((e) => e.name.endsWith(".wasm"))?.responseEnd ?? null,
  };
}

const present = (xs) => xs.filter((x) => x !== null && x !== undefined);

/** Per-field statistics over one page's loads (pageTimings results). */
export function breakdown(loads, modules) {
  const of = (pick) => {
    const xs = present(loads.map(pick));
    return xs.length ? stats(xs) : null;
  };
  return {
    htmlResponseEnd: of((l) => l.htmlResponseEnd),
    modules: Object.fromEntries(
      modules.map((path) => [
        path,
        Object.fromEntries(
          ["startTime", "connectStart", "connectEnd", "requestStart", "responseStart", "responseEnd"].map((k) => [k, of((l) => l.modules[path]?.[k])]),
        ),
      ]),
    ),
    defineStart: of((l) => l.defineStart),
    defineEnd: of((l) => l.defineEnd),
    interactive: of((l) => l.interactive),
    domContentLoaded: of((l) => l.domContentLoaded),
  };
}

/**
 * One load's steps, in ms, each from the end of the one before, so they add
 * up to its "interactive": the last element module to arrive stands for the
 * fetch (the element runs once all have); with no module (the inline
 * control), the HTML's end leads straight to define.
 */
export function loadSteps(l, modules) {
  const fetches = present(modules.map((path) => l.modules[path]));
  const last = fetches.length ? fetches.reduce((a, b) => (b.responseEnd > a.responseEnd ? b : a)) : null;
  return {
    html: l.htmlResponseEnd,
    toModuleFound: last ? last.startTime - l.htmlResponseEnd : null,
    moduleQueued: last ? last.requestStart - last.startTime : null,
    moduleFetched: last ? last.responseEnd - last.requestStart : null,
    toDefine: l.defineStart - (last ? last.responseEnd : l.htmlResponseEnd),
    define: l.defineEnd - l.defineStart,
    toButton: l.interactive - l.defineEnd,
  };
}

/** Medians (and the rest of stats) of each step over one page's loads. */
export function steps(loads, modules) {
  const all = loads.map((l) => loadSteps(l, modules));
  return Object.fromEntries(
    Object.keys(all[0] ?? {}).map((k) => {
      const xs = present(all.map((s) => s[k])).filter(Number.isFinite);
      return [k, xs.length ? stats(xs) : null];
    }),
  );
}

export const STEPS_HEAD = [
  "page",
  "HTML response end",
  "→ last element module found",
  "→ its request sent",
  "→ its response end",
  "→ define called (HTML end → define for the inline control)",
  "define: upgrade and first paint",
  "→ button laid out",
];

/** One markdown table row of a page's step medians. */
export function stepsRow(label, st) {
  return [label, ...["html", "toModuleFound", "moduleQueued", "moduleFetched", "toDefine", "define", "toButton"].map((k) => med(st[k]))];
}

const med = (s) => (s ? `${r1(s.median)}` : "—");

/** One markdown table row of medians for a page's breakdown. */
export function breakdownRow(label, b) {
  const modules = Object.entries(b.modules)
    .map(([path, t]) => `\`${path.split("/").pop()}\` ${med(t.startTime)} → ${med(t.requestStart)} → ${med(t.responseEnd)}`)
    .join("; ");
  return [label, med(b.htmlResponseEnd), modules || "(inline)", med(b.defineStart), med(b.defineEnd), med(b.interactive), med(b.domContentLoaded)];
}

export const BREAKDOWN_HEAD = [
  "page",
  "HTML response end",
  "element module: found → request start → response end",
  "define called",
  "define returned",
  "button ready",
  "DOMContentLoaded",
];
