// Helpers for the push specs (push.spec.mjs, push-instances.spec.mjs): a
// consent completed with no return signal, the widget's outcome streams as
// the page saw them, and console hygiene.

import { expect } from "./helpers.mjs";

/**
 * Records every EventSource the page opens (its URL and the moment) and each
 * documented event it receives, on the page's clock (epoch ms). Wraps the
 * constructor only; the widget's own listeners are untouched.
 */
export async function recordStreams(page) {
  await page.addInitScript(() => {
    window.__lcStreams = [];
    const Native = window.EventSource;
    if (!Native) return;
    const now = () => performance.timeOrigin + performance.now();
    window.EventSource = function (url, init) {
      const source = new Native(url, init);
      const entry = { url: String(url), opened: now(), events: [] };
      window.__lcStreams.push(entry);
      (window.__lcSources ??= []).push(source);
      for (const type of ["ready", "nudge", "status", "end", "error"]) {
        source.addEventListener(type, (e) => entry.events.push({ type, data: e.data ?? null, at: now() }));
      }
      return source;
    };
    window.EventSource.prototype = Native.prototype;
    Object.assign(window.EventSource, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
  });
  return () => page.evaluate(() => window.__lcStreams);
}

/** Records the widget's events as helpers.mjs's `test` does, for specs with fixtures of their own. */
export async function recordEvents(page) {
  await page.addInitScript(() => {
    window.__lcEvents = [];
    for (const type of ["layers-status", "layers-connected", "layers-failed"]) {
      window.addEventListener(type, (event) => window.__lcEvents.push({ type, detail: event.detail, at: Date.now() }), true);
    }
  });
}

/**
 * Approves the consent in `popup` as the customer would, but the return page
 * it lands on is not ours (another site's page, fulfilled here): the widget
 * gets no return signal at all. Resolves with the epoch ms at which the
 * sandbox's answer to the callback reached the consent tab (the account was
 * persisted just before).
 */
export async function approveWithoutReturn(popup, returnOrigin) {
  await popup.route(
    (url) => url.origin === returnOrigin,
    (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>elsewhere</title><p>not the widget's page" }),
  );
  const settled = popup.waitForResponse((r) => r.url().includes("/oauth/callback/"));
  await popup.getByRole("button", { name: "Allow", exact: true }).click();
  // The browser's own timing of the callback's answer, not when this process
  // heard of it (which can come after the widget already connected).
  const timing = (await settled).request().timing();
  return timing.startTime + timing.responseStart;
}

/** The epoch ms of the page's `layers-connected` event, once it fired. */
export async function connectedAt(page, timeout = 20_000) {
  await page.waitForFunction(() => window.__lcEvents?.some((e) => e.type === "layers-connected"), null, { timeout });
  return page.evaluate(() => window.__lcEvents.find((e) => e.type === "layers-connected").at);
}

/**
 * Collects console errors and page errors. The browser's own network lines
 * for an answer it refused (a 404'd resource, an EventSource answered with
 * another MIME type) are the test's doing, not the widget's, and are kept
 * apart in `network`.
 */
export function watchConsole(page) {
  const errors = [];
  const network = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    if (/Failed to load resource|EventSource's response has a MIME type|net::ERR_/.test(text)) network.push(text);
    else errors.push(text);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { errors, network, expectClean: () => expect(errors, "console errors").toEqual([]) };
}

/**
 * Floor check: the gaps between consecutive polls of one state that are
 * under `ms`. The page's clock has sub-millisecond resolution and the core
 * counts whole milliseconds, so a gap of 4 999.6 ms is the floor itself.
 */
export function tightGaps(polls, ms = 5_000) {
  const out = [];
  for (let i = 1; i < polls.length; i++) {
    const gap = polls[i].ms - polls[i - 1].ms;
    if (polls[i].state === polls[i - 1].state && gap < ms - 1) out.push(Math.round(gap));
  }
  return out;
}
