// Before the wasm arrives: the element paints its idle screen from the
// templates the build rendered from the Leptos view (dist/templates.js), in
// the task it connects in, and a click opens the consent tab at once and
// hands it to the widget when the wasm is ready. Every test here holds the
// .wasm response back (or fails it), so "before the wasm" is a fact of the
// test, not a race.

import { test, expect, widget, eventsOf, consent, rewriteDemoPage, sleep } from "./helpers.mjs";

const DELAY_MS = 2500;

/**
 * Holds the .wasm response back by `DELAY_MS`, or until `release()` when
 * `manual` (for steps slower than the delay, like screenshots), then sends it
 * (or aborts it). `served()` says whether it went out.
 */
async function holdWasm(page, { abort = false, manual = false } = {}) {
  let served = false;
  let servedAt = Infinity;
  let release;
  const released = manual ? new Promise((r) => (release = r)) : null;
  await page.route("**/*.wasm", async (route) => {
    await (released ?? sleep(DELAY_MS));
    served = true;
    servedAt = Date.now();
    if (abort) await route.abort("failed");
    else await route.continue();
  });
  return { served: () => served, servedAt: () => servedAt, release: () => release?.() };
}

// A serialisation of an element's shadow content that two renderings of the
// same view share: elements with their attributes sorted, and text; no
// comments and no whitespace-only text (Leptos' SSR and CSR place their
// markers differently: SSR writes an empty text as " " so that hydration
// finds a node; neither renders anything).
const shadowTree = (page, selector) =>
  page.evaluate((selector) => {
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return node.data;
      if (node.nodeType !== Node.ELEMENT_NODE) return null;
      const attrs = [...node.attributes].map((a) => `${a.name}=${a.value}`).sort();
      return { tag: node.localName, attrs, children: [...node.childNodes].map(walk).filter((c) => c !== null && !(typeof c === "string" && !c.trim())) };
    };
    return [...document.querySelector(selector).shadowRoot.childNodes].map(walk).filter((c) => c !== null);
  }, selector);

// Marks the element's current first button; `takenOver` is true once the
// wasm's view has replaced it.
const markFirstPaint = (page, selector) =>
  page.evaluate((selector) => {
    window.__firstPaint ??= {};
    window.__firstPaint[selector] = document.querySelector(selector).shadowRoot.querySelector(".lc-root");
  }, selector);
const takenOver = (page, selector) =>
  page.waitForFunction((selector) => {
    const first = window.__firstPaint[selector];
    const now = document.querySelector(selector).shadowRoot.querySelector(".lc-root");
    return first && now && !first.isConnected;
  }, selector);

/**
 * How two PNG screenshots differ, decoded by the page: `pixels` that differ
 * at all, and `strong`ly (a channel off by more than 64 of 255). Chromium's
 * software rasteriser anti-aliases the rounded corners of a box a shade
 * differently from one repaint to the next, even for the same DOM (a few
 * dozen pixels, each off by a little); a changed text, colour, focus ring or
 * position differs strongly, in hundreds of pixels.
 */
const compareShots = (page, a, b) =>
  page.evaluate(
    async ([a, b]) => {
      const decode = async (base64) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext("2d");
        context.drawImage(bitmap, 0, 0);
        return context.getImageData(0, 0, bitmap.width, bitmap.height);
      };
      const [x, y] = await Promise.all([decode(a), decode(b)]);
      if (x.width !== y.width || x.height !== y.height) return { size: `${x.width}x${x.height} vs ${y.width}x${y.height}` };
      let pixels = 0;
      let strong = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        let delta = 0;
        for (let c = 0; c < 4; c++) delta = Math.max(delta, Math.abs(x.data[i + c] - y.data[i + c]));
        if (delta > 0) pixels++;
        if (delta > 64) strong++;
      }
      return { size: "same", pixels, strong, total: x.width * x.height };
    },
    [a.toString("base64"), b.toString("base64")],
  );

/** The same picture, but for anti-aliasing noise (see compareShots). */
function expectSamePicture(diff, what) {
  expect(diff.size, what).toBe("same");
  expect(diff.strong, `${what}: strongly different pixels`).toBe(0);
  expect(diff.pixels, `${what}: differing pixels`).toBeLessThan(diff.total * 0.005);
}

const WIDGETS = `
<layers-connect id="en" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<layers-connect id="fr" lang="fr-CA" platforms="instagram tiktok" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<div lang="ja"><layers-connect id="ja" platforms="instagram" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect></div>
<layers-connect id="es" lang="es" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<layers-connect id="de" lang="de" platforms="TikTok,instagram" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<layers-connect id="custom" lang="de" endpoint="/api/layers" project-id="prj_demo" return-url="/return.html"></layers-connect>
<script>document.getElementById("custom").messages = { connect: "Mit {platform} loslegen", cancel: "Lieber nicht" };</script>`;

const IDS = ["en", "fr", "ja", "es", "de", "custom"];

/** The demo page with the widgets above instead of its own. */
const manyWidgets = (page) => rewriteDemoPage(page, (html) => html.replace(/<layers-connect id="widget"[^>]*><\/layers-connect>/, WIDGETS));

const buttonsOf = (page, id) => widget(page, `#${id}`).host.locator("button").allTextContents();

test("the idle screens paint before the wasm, in each element's language, platforms and messages, as the wasm renders them", async ({ page, server }) => {
  const wasm = await holdWasm(page, { manual: true });
  await manyWidgets(page);
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  await expect(widget(page, "#en").button("Connect TikTok")).toBeVisible();
  const before = {};
  for (const id of IDS) {
    before[id] = { buttons: await buttonsOf(page, id), tree: await shadowTree(page, `#${id}`) };
    await markFirstPaint(page, `#${id}`);
  }
  expect(wasm.served(), "the first paint came before the wasm").toBe(false);
  expect(Object.fromEntries(IDS.map((id) => [id, before[id].buttons]))).toEqual({
    en: ["Connect TikTok", "Connect Instagram"],
    fr: ["Connecter Instagram", "Connecter TikTok"],
    ja: ["Instagram を連携"],
    es: ["Conectar TikTok", "Conectar Instagram"],
    de: ["TikTok verbinden", "Instagram verbinden"],
    custom: ["Mit TikTok loslegen", "Mit Instagram loslegen"],
  });
  // The template carries the view's parts and classes (theming).
  await expect(widget(page, "#en").host.locator('[part~="root"][data-phase="idle"] [part~="buttons"] button[part~="tiktok"]')).toHaveCount(1);

  // Once the wasm is there, its view is the same markup, element for element.
  wasm.release();
  for (const id of IDS) {
    await takenOver(page, `#${id}`);
    expect(await shadowTree(page, `#${id}`), `#${id}: the wasm's view differs from its template`).toEqual(before[id].tree);
  }
});

test("the takeover changes no pixel, shifts no layout and keeps the focused button focused", async ({ page, server }) => {
  const wasm = await holdWasm(page, { manual: true });
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => window.__shifts.push(...list.getEntries().map((e) => e.startTime))).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  const { host, button } = widget(page, "#widget");
  await expect(button("Connect Instagram")).toBeVisible();
  // Keyboard focus on the second button: the focus ring is in the picture.
  await button("Connect TikTok").focus();
  await page.keyboard.press("Tab");
  await expect(button("Connect Instagram")).toBeFocused();
  await markFirstPaint(page, "#widget");
  const box = await host.boundingBox();
  const shot = await host.screenshot();
  const since = await page.evaluate(() => performance.now());
  expect(wasm.served()).toBe(false);

  wasm.release();
  await takenOver(page, "#widget");
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await expect(button("Connect Instagram")).toBeFocused();
  expect(await host.boundingBox()).toEqual(box);
  expectSamePicture(await compareShots(page, shot, await host.screenshot()), "the element before and after the wasm took over");
  expect(await page.evaluate((since) => window.__shifts.filter((t) => t >= since), since)).toEqual([]);

  // The comparison sees a real change: one word of one button.
  await page.evaluate(() => (document.querySelector("#widget").messages = { connect: "Link {platform}" }));
  await expect(button("Link Instagram")).toBeVisible();
  const changed = await compareShots(page, shot, await host.screenshot());
  expect(changed.size !== "same" || changed.strong > 50, JSON.stringify(changed)).toBe(true);
});

test("a click before the wasm opens the tab within the click; the tab reaches the consent page once the wasm arrives, and the account connects", async ({ page, server, sandbox }) => {
  const wasm = await holdWasm(page);
  // When the page calls window.open (the page's clock is this machine's).
  await page.addInitScript(() => {
    window.__opened = [];
    const open = window.open;
    window.open = function (...args) {
      window.__opened.push({ at: Date.now(), activation: navigator.userActivation.isActive });
      return open.apply(this, args);
    };
  });
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  const w = widget(page, "#widget");
  await expect(w.button("Connect TikTok")).toBeVisible();

  const popupPromise = page.waitForEvent("popup");
  await w.button("Connect TikTok").click();
  const popup = await popupPromise;
  expect(wasm.served(), "the popup event came before the wasm").toBe(false);
  const opened = await page.evaluate(() => window.__opened);
  expect(opened.length).toBe(1);
  expect(opened[0].at, "the tab opened before the wasm was served").toBeLessThan(wasm.servedAt());
  expect(opened[0].activation, "inside the click's user activation").toBe(true);
  await expect(w.status).toHaveText("Opening TikTok…");

  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
  expect(wasm.served()).toBe(true);
  await consent(popup, "Allow");
  await expect(w.status).toHaveText("Connected as @acmecoffee");
  const connected = await eventsOf(page, "layers-connected");
  expect(connected.map((e) => e.detail.platform)).toEqual(["tiktok"]);
  expect((await sandbox.mints()).length).toBe(1);
});

test("by keyboard before the wasm: Enter opens the tab, Cancel closes it, and the starting screen the wasm takes over is the same markup, focus on Cancel", async ({ page, server }) => {
  const wasm = await holdWasm(page, { manual: true });
  // The mint waits, so the wasm's starting screen stays long enough to compare.
  await page.route("**/social/oauth-url", async (route) => {
    await sleep(1500);
    await route.continue();
  });
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  const w = widget(page, "#widget");
  await expect(w.button("Connect Instagram")).toBeVisible();
  let popupPromise = page.waitForEvent("popup");
  await w.button("Connect Instagram").focus();
  await page.keyboard.press("Enter");
  let popup = await popupPromise;
  await expect(w.status).toHaveText("Opening Instagram…");
  await expect(w.button("Cancel")).toBeFocused();
  // Cancel before the wasm: the blank tab closes, the buttons come back.
  const closed = popup.waitForEvent("close");
  await page.keyboard.press("Enter");
  await closed;
  await expect(w.button("Connect TikTok")).toBeFocused();

  popupPromise = page.waitForEvent("popup");
  await page.keyboard.press("Enter");
  popup = await popupPromise;
  await expect(w.button("Cancel")).toBeFocused();
  const starting = await shadowTree(page, "#widget");
  await markFirstPaint(page, "#widget");
  expect(wasm.served()).toBe(false);
  wasm.release();
  await takenOver(page, "#widget");
  await expect(w.root).toHaveAttribute("data-phase", "starting");
  expect(await shadowTree(page, "#widget"), "the wasm's starting screen differs from its template").toEqual(starting);
  await expect(w.button("Cancel")).toBeFocused();
  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
});

test("in redirect mode a click before the wasm opens no tab: it waits for the wasm, then the page leaves", async ({ page, server }) => {
  const wasm = await holdWasm(page);
  await rewriteDemoPage(page, (html) => html.replace('<layers-connect id="widget"', '<layers-connect id="widget" mode="redirect"'));
  let popups = 0;
  page.on("popup", () => popups++);
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  const w = widget(page, "#widget");
  await w.button("Connect TikTok").click();
  expect(wasm.served(), "the click came before the wasm").toBe(false);
  await expect(w.status).toHaveText("Opening TikTok…");
  await page.waitForURL(/\/oauth\/tiktok\/authorize/, { timeout: 20_000 });
  expect(popups).toBe(0);
});

test("when the wasm cannot load, the tab a click opened closes and the element says so", async ({ page, server }) => {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const wasm = await holdWasm(page, { abort: true, manual: true });
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  const w = widget(page, "#widget");
  const popupPromise = page.waitForEvent("popup");
  await w.button("Connect TikTok").click();
  const popup = await popupPromise;
  expect(wasm.served()).toBe(false);
  const closed = popup.waitForEvent("close");
  wasm.release(); // the .wasm request fails
  await closed;
  await expect(w.host.locator('[role="alert"]')).toHaveText("This widget could not load. Please reload the page.");
  await expect(w.host.locator("button")).toHaveCount(0);
  const failed = await eventsOf(page, "layers-failed");
  expect(failed.map((e) => e.detail)).toEqual([
    { code: "LOAD_FAILED", message: "This widget could not load. Please reload the page.", platform: "tiktok" },
  ]);
  expect(errors.some((e) => e.includes("could not load its wasm module"))).toBe(true);
});

test("under Trusted Types the first screen paints through the element's policy, and the wasm takes over without a violation", async ({ page, server }) => {
  const wasm = await holdWasm(page, { manual: true });
  await page.route(
    (url) => url.pathname === "/",
    async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers(), "content-security-policy": "require-trusted-types-for 'script'; trusted-types layers-connect" };
      await route.fulfill({ response, headers });
    },
  );
  const violations = [];
  await page.exposeBinding("__lcViolation", (_source, v) => violations.push(v));
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => window.__lcViolation({ directive: e.effectiveDirective, sample: e.sample }), true),
  );
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  const w = widget(page, "#widget");
  await expect(w.button("Connect TikTok")).toBeVisible();
  expect(wasm.served()).toBe(false);
  await markFirstPaint(page, "#widget");
  wasm.release();
  await takenOver(page, "#widget");
  await expect(w.button("Connect TikTok")).toBeVisible();
  expect(violations).toEqual([]);
});
