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
