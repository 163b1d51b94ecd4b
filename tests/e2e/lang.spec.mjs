// The widget's language: the nearest *shipped* language from the element up
// to the document, then the browser's, then English (messages::choose_language,
// whose cases are tested natively; this checks the DOM walk feeding it).

import { test, expect, widget, openDemo, rewriteDemoPage } from "./helpers.mjs";

test("an unshipped lang on the element does not hide the page's", async ({ page, server }) => {
  await rewriteDemoPage(page, (html) =>
    html.replace('<html lang="en">', '<html lang="fr">').replace('<layers-connect id="widget"', '<layers-connect lang="pt" id="widget"'),
  );
  await openDemo(page, server);
  await expect(widget(page, "#widget").button("Connecter TikTok")).toBeVisible();
});

test("the nearest shipped lang wins over the document's", async ({ page, server }) => {
  await rewriteDemoPage(page, (html) =>
    html
      .replace('<html lang="en">', '<html lang="fr">')
      .replace(/<layers-connect id="widget"([^>]*)><\/layers-connect>/, '<div lang="de"><layers-connect lang="pt-BR" id="widget"$1></layers-connect></div>'),
  );
  await openDemo(page, server);
  await expect(widget(page, "#widget").button("TikTok verbinden")).toBeVisible();
});

test("the walk crosses a shadow root to its host, and falls back to the browser's languages", async ({ page, server }) => {
  await openDemo(page, server);
  // An app that renders the widget inside its own component's shadow root.
  const texts = await page.evaluate(async () => {
    const textOf = async (host) => {
      const el = document.createElement("layers-connect");
      for (const a of ["endpoint", "project-id"]) el.setAttribute(a, document.querySelector("#widget").getAttribute(a));
      el.setAttribute("lang", "pt");
      host.attachShadow({ mode: "open" }).append(el);
      document.body.append(host);
      for (let i = 0; i < 100 && !el.shadowRoot.querySelector("button"); i++) await new Promise((r) => setTimeout(r, 50));
      const text = el.shadowRoot.querySelector("button")?.textContent;
      host.remove();
      return text;
    };
    const german = document.createElement("div");
    german.setAttribute("lang", "de");
    // No shipped lang anywhere up: navigator.languages decides.
    document.documentElement.setAttribute("lang", "pt");
    Object.defineProperty(navigator, "languages", { value: ["ko", "ja-JP"], configurable: true });
    const viaHost = await textOf(german);
    const viaNavigator = await textOf(document.createElement("div"));
    return { viaHost, viaNavigator };
  });
  expect(texts).toEqual({ viaHost: "TikTok verbinden", viaNavigator: "TikTok を連携" });
});
