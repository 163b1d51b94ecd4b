// A partner dashboard served with hardening headers (a strict CSP, say), for
// the Playwright suite: node:http serves the given pages, www/'s return page
// and the built widget from dist/ with `headers` on every response, and
// reverse-proxies `/api/layers/*` to a demo server (tests/support/
// demo-server.mjs), so that the widget's calls stay same-origin.

import { createServer, request } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The strict Content-Security-Policy of issue 11, plus the one directive the
 * widget needs beyond it: the connected account's avatar is an image from
 * the platform's CDN (here the sandbox's origin). README.md states the same
 * policy.
 */
export const strictPolicy = (avatarOrigin) =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "connect-src 'self'",
    `img-src 'self' ${avatarOrigin}`,
  ].join("; ");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** A file under `dir`, or null if `path` is outside it or missing. */
async function fileUnder(dir, path) {
  const full = normalize(join(dir, path));
  if (!full.startsWith(dir)) return null;
  try {
    return { body: await readFile(full), type: TYPES[extname(full)] ?? "application/octet-stream" };
  } catch {
    return null;
  }
}

/**
 * @param {{
 *   port: number,
 *   upstream: string,
 *   headers: Record<string, string> | ((pathname: string) => Record<string, string>),
 *   pages: Record<string, string>,
 * }} options `port` to listen on (127.0.0.1), `upstream` the demo server's
 *   URL, `headers` for every response, or a function of the path that picks
 *   them per response (a dashboard and a return page with different
 *   policies), `pages` extra files by path (e.g. "/" → HTML).
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startHardenedSite({ port, upstream, headers: headersFor, pages }) {
  const www = join(root, "www");
  const dist = join(root, "dist");
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://site");
    const headers = typeof headersFor === "function" ? headersFor(url.pathname) : headersFor;
    if (url.pathname.startsWith("/api/layers/")) {
      // Method, path, query and headers (Cookie, Origin, Sec-Fetch-Site)
      // pass as they are; the response too, Set-Cookie included.
      const target = new URL(url.pathname + url.search, upstream);
      const upstreamReq = request(target, { method: req.method, headers: req.headers }, (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode, { ...upstreamRes.headers, ...headers });
        upstreamRes.pipe(res);
      });
      upstreamReq.on("error", (error) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(error));
      });
      req.pipe(upstreamReq);
      return;
    }
    let file = null;
    if (Object.hasOwn(pages, url.pathname)) {
      file = { body: pages[url.pathname], type: TYPES[extname(url.pathname) || ".html"] ?? "application/octet-stream" };
    } else if (url.pathname.startsWith("/dist/")) {
      file = await fileUnder(dist, url.pathname.slice("/dist/".length));
    } else {
      file = await fileUnder(www, url.pathname.slice(1));
    }
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain", ...headers });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store", ...headers });
    res.end(file.body);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
