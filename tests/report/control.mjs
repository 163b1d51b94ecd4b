// The report's control: the demo page (www/index.html) with the widget
// replaced by an inline JS-only element that renders the same button at
// once (no wasm, no fetch), served by a plain node server. It is the floor
// this browser and machine impose on "navigation → interactive"; report.mjs
// and compare.mjs both load it alternately with the widget.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { root } from "./stats.mjs";

/** The demo page with the widget swapped for an element that renders its button synchronously. */
export function controlPage(www = `${root}www`) {
  const html = readFileSync(`${www}/index.html`, "utf8");
  const element = `<script type="module">
    customElements.define("layers-connect", class extends HTMLElement {
      connectedCallback() {
        if (this.shadowRoot) return;
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Connect TikTok";
        this.attachShadow({ mode: "open" }).append(button);
      }
    });
  </script>`;
  const page = html
    .replace(/^\s*<link rel="(modulepreload|preload)"[^>]*>\n/gm, "")
    .replace(/^\s*<script type="module"[^>]* src="\/dist\/[^"]*"><\/script>\n/gm, "")
    .replace('import "/dist/layers-connect.js";', "")
    .replace("</head>", `${element}\n</head>`);
  if (page === html || page.includes("/dist/")) throw new Error("www/index.html changed shape: update controlPage()");
  return page;
}

/** Serves the control page on a free loopback port. */
export async function startControl(www) {
  const page = controlPage(www);
  const server = createServer((req, res) => {
    if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((r) => server.close(r)) };
}
