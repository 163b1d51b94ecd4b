// The report's controls: the demo page (www/index.html) with the widget
// replaced by a JS-only element that renders the same button at once (no
// wasm, no fetch). report.mjs and compare.mjs load them in turn with the
// widget.
//
// - The inline control defines the element in an inline module script: the
//   floor this browser and machine impose on "navigation → interactive",
//   and what issue 12's target is a ratio to.
// - The module control is the same element, the same bytes, as an external
//   module file (`<script type="module" async src="/control-element.js">`,
//   where the page has the widget's entry, with no preload: one module
//   needs none, the preload scanner finds the tag). Partners run a strict
//   CSP without `script-src 'unsafe-inline'`, so the widget must be an
//   external module; this control measures what fetching one costs by
//   itself, apart from the widget's code. It is served two ways: by the
//   same node:http server as the inline control, and by the demo server
//   itself (from a temporary copy of www/ with the two control files added,
//   `controlPagesDir()`), so a reader can tell the server's share from the
//   browser's.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { root } from "./stats.mjs";

/** The JS-only element, byte for byte what both controls run. */
export const controlElement = `customElements.define("layers-connect", class extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Connect TikTok";
    this.attachShadow({ mode: "open" }).append(button);
  }
});
`;

/** Where the module control's file is served, and the module control page's path. */
export const CONTROL_MODULE_PATH = "/control-element.js";
export const MODULE_CONTROL_PAGE = "/control-module.html";

const WIDGET_ENTRY = /^(\s*)<script type="module"[^>]* src="\/dist\/layers-connect\.js"><\/script>\n/m;

/** The demo page without the widget: no preloads, no entry tag, no import. */
function withoutWidget(html, entry) {
  const page = html
    .replace(WIDGET_ENTRY, entry)
    .replace(/^\s*<link rel="(modulepreload|preload)"[^>]*>\n/gm, "")
    .replace(/^\s*<script type="module"[^>]* src="\/dist\/[^"]*"><\/script>\n/gm, "")
    .replace('import "/dist/layers-connect.js";', "");
  if (page === html || page.includes("/dist/")) throw new Error("www/index.html changed shape: update control.mjs");
  return page;
}

/** The demo page with the widget swapped for an inline element that renders its button synchronously. */
export function controlPage(www = `${root}www`) {
  const html = readFileSync(`${www}/index.html`, "utf8");
  const element = `<script type="module">\n${controlElement}</script>`;
  return withoutWidget(html, "").replace("</head>", `${element}\n</head>`);
}

/** The same page, with the same element loaded as an external module where the widget's entry was. */
export function moduleControlPage(www = `${root}www`) {
  const html = readFileSync(`${www}/index.html`, "utf8");
  if (!WIDGET_ENTRY.test(html)) throw new Error("www/index.html has no widget entry tag: update control.mjs");
  return withoutWidget(html, `$1<script type="module" async src="${CONTROL_MODULE_PATH}"></script>\n`);
}

/**
 * Serves both controls on a free loopback port: the inline one at `/`, the
 * module one at MODULE_CONTROL_PAGE, with the headers the demo server's
 * static files carry (content type, `Cache-Control: no-cache`).
 */
export async function startControl(www) {
  const files = {
    "/": ["text/html; charset=utf-8", controlPage(www)],
    [MODULE_CONTROL_PAGE]: ["text/html; charset=utf-8", moduleControlPage(www)],
    [CONTROL_MODULE_PATH]: ["text/javascript; charset=utf-8", controlElement],
  };
  const server = createServer((req, res) => {
    const file = files[req.url];
    if (file) res.writeHead(200, { "content-type": file[0], "cache-control": "no-cache" }).end(file[1]);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, moduleUrl: new URL(MODULE_CONTROL_PAGE, url).href, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * A temporary copy of the demo pages with the module control added, for the
 * demo server (LAYERS_PROXY_WWW_DIR) to serve next to the widget; the copy's
 * other pages are www/'s own. `remove()` deletes it.
 */
export function controlPagesDir(www = `${root}www`) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lc-control-www-"));
  cpSync(www, dir, { recursive: true });
  writeFileSync(path.join(dir, MODULE_CONTROL_PAGE), moduleControlPage(www));
  writeFileSync(path.join(dir, CONTROL_MODULE_PATH), controlElement);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
