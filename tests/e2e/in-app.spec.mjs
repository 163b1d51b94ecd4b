// In-app browsers (issue 11 item 6): in Instagram's, TikTok's, Facebook's and
// Messenger's webviews the widget offers a handoff instead of buttons that
// cannot work there. Each app's real user agent (the corpus of
// src/in_app.rs), on Android and on iOS, in a context of its own.

import AxeBuilder from "@axe-core/playwright";
import { test, expect, widget, rewriteDemoPage } from "./helpers.mjs";

const UA = {
  instagram: {
    android:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.58 Mobile Safari/537.36 Instagram 355.1.0.44.103 Android (34/14; 420dpi; 1080x2205; Google/google; Pixel 8; shiba; shiba; en_US; 658190016)",
    ios: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22F76 Instagram 393.1.0.36.70 (iPhone15,3; iOS 18_5; en_US; en; scale=3.00; 1290x2796; IABMV/1; 776538208) Safari/604.1)",
  },
  tiktok: {
    android:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240105.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/121.0.6167.143 Mobile Safari/537.36 musical_ly_2023303040 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/33.3.4 ByteLocale/en ByteFullLocale/en Region/US AppId/1233 Spark/1.5.0.5-alpha.2 AppVersion/33.3.4 BytedanceWebview/d8a21c6",
    ios: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 BytedanceWebview/d8a21c6 musical_ly_33.2.1 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US FalconTag/BDB55B46-0286-4504-847E-C8300CB9F79D",
  },
  facebook: {
    android:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.83 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/488.0.0.62.79;IABMV/1;]",
    ios: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22B83 [FBAN/FBIOS;FBAV/488.0.0.68.101;FBBV/658219612;FBDV/iPhone12,8;FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/2;FBID/phone;FBLC/en_US;FBOP/5;FBRV/0;IABMV/1]",
  },
  messenger: {
    android:
      "Mozilla/5.0 (Linux; Android 12; RMX2111 Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/108.0.5359.128 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/390.2.0.29.103;]",
    ios: "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_2 like Mac OS X) AppleWebKit/603.2.4 (KHTML, like Gecko) Mobile/14F89 [FBAN/MessengerForiOS;FBAV/129.0.0.44.91;FBBV/66845013;FBDV/iPhone9,1;FBMD/iPhone;FBSN/iOS;FBSV/10.3.2;FBSS/2;FBCR/Carrier;FBID/phone;FBLC/en_US;FBOP/5;FBRV/0]",
  },
};
const LABEL = { instagram: "Instagram", tiktok: "TikTok", facebook: "Facebook", messenger: "Messenger" };

// The copy the customer reads, per language (src/messages.rs).
const COPY = {
  en: {
    headline: (app) => `Accounts can't be connected inside ${app}. Open this page in your browser to continue.`,
    open: "Open in browser",
    copy: "Copy link",
    copied: "Link copied. Paste it into your browser.",
    tryHere: "Try here anyway",
    steps: "Tap ••• at the top right, then “Open in external browser”.",
    stepsTiktok: "Tap ••• at the top right, then “Open in browser”.",
  },
  ja: {
    headline: (app) => `${app} のアプリ内ではアカウントを連携できません。ブラウザでこのページを開いてください。`,
    open: "ブラウザで開く",
    copy: "リンクをコピー",
    copied: "リンクをコピーしました。ブラウザに貼り付けてください。",
    tryHere: "このまま試す",
    steps: "右上の ••• をタップし、「外部ブラウザで開く」を選んでください。",
    stepsTiktok: "右上の ••• をタップし、「ブラウザで開く」を選んでください。",
  },
};

// The page's own events, recorded from the first script on.
const RECORD = () => {
  window.__status = [];
  window.addEventListener("layers-status", (e) => window.__status.push(e.detail), true);
};

/** A fresh context with `userAgent` and the clipboard permissions, on the demo page. */
async function openAs(browser, server, userAgent, { lang = "en", query = "?ref=bio" } = {}) {
  const context = await browser.newContext({ userAgent });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(server.url).origin });
  await context.addInitScript(RECORD);
  const page = await context.newPage();
  if (lang !== "en") await rewriteDemoPage(page, (html) => html.replace('<html lang="en">', `<html lang="${lang}">`));
  const url = new URL(`/${query}#section`, server.url);
  await page.goto(url.href);
  await expect(page.locator("#widget .lc-root")).toHaveAttribute("data-phase", /.+/);
  return { context, page, url };
}

/** What Android's default browser should be sent to: this page, without its fragment. */
const intentFor = (url) => `intent://${url.host}${url.pathname}${url.search}#Intent;scheme=${url.protocol.slice(0, -1)};end`;

for (const [app, byOs] of Object.entries(UA)) {
  for (const lang of ["en", "ja"]) {
    test(`${app} on Android (${lang}): an intent: link to this page instead of the buttons`, async ({ browser, server }) => {
      const { context, page, url } = await openAs(browser, server, byOs.android, { lang });
      const w = widget(page, "#widget");
      const copy = COPY[lang];
      await expect(w.root).toHaveAttribute("data-phase", "in_app_browser");
      await expect(w.status).toHaveText(copy.headline(LABEL[app]));
      const open = w.host.getByRole("link", { name: copy.open, exact: true });
      // Exactly this page, never followed here (the webview hands it to Android).
      await expect(open).toHaveAttribute("href", intentFor(url));
      expect(intentFor(url)).toMatch(/^intent:\/\/127\.0\.0\.1:\d+\/\?ref=bio#Intent;scheme=http;end$/);
      await expect(w.button(copy.copy)).toBeVisible();
      await expect(w.button(copy.tryHere)).toBeVisible();
      await expect(w.host.locator('[part~="connect"]')).toHaveCount(0);
      await expect(w.host.locator('[part~="detail"]')).toHaveCount(0);
      const status = await page.evaluate(() => window.__status);
      expect(status).toEqual([{ phase: "in_app_browser", platform: null, expiresAt: null, code: null, inAppBrowser: { app, os: "android" } }]);
      await context.close();
    });

    test(`${app} on iOS (${lang}): the app's menu, and Copy link puts this page on the clipboard`, async ({ browser, server }) => {
      const { context, page, url } = await openAs(browser, server, byOs.ios, { lang });
      const w = widget(page, "#widget");
      const copy = COPY[lang];
      await expect(w.root).toHaveAttribute("data-phase", "in_app_browser");
      await expect(w.status).toHaveText(copy.headline(LABEL[app]));
      // The app's own menu, under the headline.
      await expect(w.host.locator('[part~="detail"]')).toHaveText(app === "tiktok" ? copy.stepsTiktok : copy.steps);
      // No intent: link on iOS, and no connect buttons.
      await expect(w.host.locator("a")).toHaveCount(0);
      await expect(w.host.locator('[part~="connect"]')).toHaveCount(0);
      const copied = w.host.locator('[part~="copied"]');
      await expect(copied).toHaveCount(0);
      await w.button(copy.copy).click();
      await expect(copied).toHaveText(copy.copied);
      await expect(w.live).toHaveText(copy.copied);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url.href);
      const status = await page.evaluate(() => window.__status);
      expect(status).toEqual([{ phase: "in_app_browser", platform: null, expiresAt: null, code: null, inAppBrowser: { app, os: "ios" } }]);
      await context.close();
    });
  }
}

test("a refused clipboard shows the link to copy by hand", async ({ browser, server }) => {
  const { context, page, url } = await openAs(browser, server, UA.instagram.ios);
  // A webview that refuses to copy.
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
  });
  const w = widget(page, "#widget");
  await w.button("Copy link").click();
  await expect(w.host.locator('[part~="copied"]')).toHaveText("The link couldn't be copied. Press and hold it to copy it:");
  await expect(w.host.locator('[part~="url"]')).toHaveText(url.href);
  await context.close();
});

test("Try here anyway shows the buttons, and connecting from there still works", async ({ browser, server, sandbox }) => {
  const { context, page } = await openAs(browser, server, UA.tiktok.android);
  const w = widget(page, "#widget");
  await w.button("Try here anyway").click();
  await expect(w.root).toHaveAttribute("data-phase", "idle");
  const popup = page.waitForEvent("popup");
  await w.button("Connect TikTok").click();
  await (await popup).waitForURL(/\/oauth\/tiktok\/authorize/);
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  expect((await sandbox.mints()).length).toBe(1);
  const phases = (await page.evaluate(() => window.__status)).map((s) => s.phase);
  expect(phases).toEqual(["in_app_browser", "idle", "starting", "waiting"]);
  await context.close();
});

test("a page that knows its flow works there skips the handoff with reset() in its listener", async ({ browser, server }) => {
  const context = await browser.newContext({ userAgent: UA.instagram.android });
  await context.addInitScript(RECORD);
  await context.addInitScript(() =>
    window.addEventListener("layers-status", (e) => e.detail.phase === "in_app_browser" && e.target.reset(), true),
  );
  const page = await context.newPage();
  await page.goto(server.url);
  const w = widget(page, "#widget");
  await expect(w.button("Connect TikTok")).toBeVisible();
  await expect(w.root).toHaveAttribute("data-phase", "idle");
  expect((await page.evaluate(() => window.__status)).map((s) => s.phase)).toEqual(["in_app_browser", "idle"]);
  await context.close();
});

test("the handoff is announced and axe-clean on Android and iOS, before and after copying", async ({ browser, server }) => {
  const axe = async (page, state) => {
    const { violations } = await new AxeBuilder({ page }).include("#widget").analyze();
    expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), `axe ${state}`).toEqual([]);
  };
  for (const os of ["android", "ios"]) {
    const { context, page } = await openAs(browser, server, UA.messenger[os]);
    const w = widget(page, "#widget");
    await expect(w.live).toHaveText(COPY.en.headline("Messenger"));
    await axe(page, os);
    await w.button("Copy link").click();
    await expect(w.host.locator('[part~="copied"]')).toHaveText(COPY.en.copied);
    await axe(page, `${os}, copied`);
    await context.close();
  }
});

test("an ordinary mobile browser shows the normal buttons and no handoff", async ({ browser, server }) => {
  for (const userAgent of [
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  ]) {
    const { context, page } = await openAs(browser, server, userAgent);
    const w = widget(page, "#widget");
    await expect(w.button("Connect TikTok")).toBeVisible();
    await expect(w.button("Connect Instagram")).toBeVisible();
    await expect(w.root).toHaveAttribute("data-phase", "idle");
    await expect(w.host.locator('[part~="open-in-browser"], [part~="copy"]')).toHaveCount(0);
    expect(await page.evaluate(() => window.__status)).toEqual([]);
    await context.close();
  }
});
