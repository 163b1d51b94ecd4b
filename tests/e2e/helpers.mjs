// Shared helpers for the end-to-end suite: one demo server per spec file
// (layers-demo: the proxy + embedded sandbox + built widget), sandbox controls, the
// sandbox request log, and the widget's events as the page saw them.

import { test as base, expect } from "@playwright/test";
import { startDemo } from "../support/demo-server.mjs";

export { expect };

/** Records every widget event the window sees (they bubble and are composed). */
const RECORD_EVENTS = () => {
  window.__lcEvents = [];
  for (const type of ["layers-status", "layers-connected", "layers-failed"]) {
    window.addEventListener(
      type,
      (event) => window.__lcEvents.push({ type, detail: event.detail, target: event.target?.id ?? null, at: Date.now() }),
      true,
    );
  }
};

/** A small client for the sandbox's /_sandbox controls. */
export function sandboxOf(server) {
  const call = async (path, body) => {
    const response = await fetch(new URL(`_sandbox/${path}`, server.sandboxUrl), {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sandbox ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json().catch(() => null);
  };
  return {
    reset: () => call("reset", {}),
    fault: (fault) => call("faults", fault),
    killSwitch: (scope, enabled = true, target) => call("kill-switch", { scope, enabled, ...(target ? { target } : {}) }),
    settings: (settings) => call("settings", settings),
    /** The /v1 request log, times as epoch ms. */
    requests: async () => (await call("requests")).data.map((r) => ({ ...r, ms: Date.parse(r.time) })),
    /** Only the oauth-status polls (optionally for one state). */
    polls: async (state) =>
      (await call("requests")).data
        .filter((r) => r.path.startsWith("/v1/social/oauth-status/") && (!state || r.path.endsWith(`/${state}`)))
        .map((r) => ({ ...r, ms: Date.parse(r.time), state: r.path.split("/").pop() })),
    /** Every /v1 answer 429 (the per-key or the per-state poll budget, or an injected fault). */
    rateLimited: async () => (await call("requests")).data.filter((r) => r.status === 429),
    mints: async () =>
      (await call("requests")).data.filter((r) => r.method === "POST" && r.path.includes("/social/oauth-url")).map((r) => ({ ...r, ms: Date.parse(r.time) })),
  };
}

/**
 * `test` with a per-file demo server (`server`, `sandbox`) and a page that
 * records widget events. The sandbox is reset before each test.
 */
export const test = base.extend({
  server: [
    async ({}, use) => {
      const server = await startDemo({ env: serverEnv() });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  sandbox: async ({ server }, use) => {
    const sandbox = sandboxOf(server);
    await sandbox.reset();
    await use(sandbox);
  },
  context: async ({ context }, use) => {
    await context.addInitScript(RECORD_EVENTS);
    await use(context);
  },
});

function serverEnv() {
  // Many attempts per browser context across a file: keep the per-session mint
  // limit out of the way (its own behaviour is the proxy's suite's business).
  return { LAYERS_PROXY_MINT_LIMIT: "1000" };
}

/**
 * The widget's normal polling (5 s floor, one early confirmation, a poll on
 * resume) never trips the sandbox's per-state poll budget (docs/sandbox.md):
 * the sandbox answered no 429 during the test. On failure the message lists
 * every oauth-status request with its gap to the previous one of its state.
 * Not for tests that inject 429 faults on purpose.
 */
export async function expectNoRateLimited(sandbox) {
  const limited = await sandbox.rateLimited();
  if (limited.length === 0) return;
  const last = new Map();
  const timeline = (await sandbox.polls()).map((p) => {
    const gap = last.has(p.state) ? `+${p.ms - last.get(p.state)} ms` : "first";
    last.set(p.state, p.ms);
    return `${p.time} ${p.state} ${p.status} (${gap})`;
  });
  expect(limited, `the sandbox answered 429:\n${timeline.join("\n")}`).toEqual([]);
}

/** The widget's shadow content, through the open shadow root. */
export function widget(page, selector = "layers-connect") {
  const host = page.locator(selector);
  return {
    host,
    root: host.locator(".lc-root"),
    live: host.locator('[role="status"][aria-live="polite"]'),
    button: (name) => host.getByRole("button", { name, exact: true }),
    status: host.locator('[part~="status"]'),
    link: host.locator('[part="link"]'),
  };
}

export const events = (page) => page.evaluate(() => window.__lcEvents);
export const eventsOf = async (page, type) => (await events(page)).filter((e) => e.type === type);

/** Opens the demo page with a widget ready (its buttons rendered). */
export async function openDemo(page, server, path = "") {
  await page.goto(new URL(path, server.url).href);
  await expect(page.locator("layers-connect .lc-root").first()).toHaveAttribute("data-phase", /.+/);
}

/** Clicks "Connect {platform}" and returns the new tab, on the consent page. */
export async function startInTab(page, platform = "TikTok", selector = "layers-connect") {
  const popupPromise = page.waitForEvent("popup");
  await page.locator(selector).getByRole("button", { name: `Connect ${platform}` }).click();
  const popup = await popupPromise;
  await popup.waitForURL(/\/oauth\/(tiktok|instagram)\/authorize/);
  return popup;
}

/** Presses a consent-page button and waits for the return page to close its tab. */
export async function consent(popup, button = "Allow") {
  const closed = popup.waitForEvent("close");
  await popup.getByRole("button", { name: button, exact: true }).click();
  await closed;
}

/** Gaps in ms between consecutive entries of a log. */
export const gaps = (entries) => entries.slice(1).map((e, i) => e.ms - entries[i].ms);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Serves the demo page with its <layers-connect> markup rewritten (e.g. to
 * redirect mode, or with more widgets), same origin, real everything else.
 */
export async function rewriteDemoPage(page, rewrite) {
  await page.route(
    (url) => url.pathname === "/" || url.pathname === "/index.html",
    async (route) => {
      const response = await route.fetch();
      const body = rewrite(await response.text());
      await route.fulfill({ response, body });
    },
  );
}

/** Expected copy per OAuth failure outcome (TikTok). */
export const FAILURES = {
  Deny: { code: "platform_denied", text: "You didn't give access on TikTok, so nothing was connected." },
  missing_code: { code: "missing_code", text: "TikTok sent you back without finishing. Please try again." },
  platform_mismatch: { code: "platform_mismatch", text: "TikTok sent you back without finishing. Please try again." },
  exchange_failed: { code: "exchange_failed", text: "TikTok couldn't complete the connection. Please try again in a few minutes." },
  persistence_error: {
    code: "persistence_error",
    text: "We couldn't save the connection. Please try again; if it keeps happening, contact support.",
  },
};

/** sessionStorage keys the widget left behind. */
// The attempt the demo widget persisted: keyed by project and element id.
export const storedAttempt = (page, id = "widget") =>
  page.evaluate((key) => sessionStorage.getItem(key), `layers-connect:prj_demo#${id}`);

/**
 * Status polls as the widget sent them: the page's own clock at the moment
 * the widget called fetch(). The polling floors count from that call, so
 * gaps are measured there. The network stack's start time (request.timing())
 * and the sandbox log, one proxy hop later, both add dispatch jitter that
 * reached 120 ms on a loaded 2-CPU machine, which is not the widget's.
 * Await it before the page navigates.
 */
export async function recordPolls(page) {
  const polls = [];
  await page.exposeBinding("__layersRecordPoll", (_source, url, ms) => {
    if (!String(url).includes("/api/layers/social/oauth-status/")) return;
    polls.push({ state: String(url).split("/").pop(), ms });
    polls.sort((a, b) => a.ms - b.ms);
  });
  await page.addInitScript(() => {
    const fetch = window.fetch;
    window.fetch = function (input, init) {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      window.__layersRecordPoll(url, performance.timeOrigin + performance.now());
      return fetch.call(this, input, init);
    };
  });
  return polls;
}
