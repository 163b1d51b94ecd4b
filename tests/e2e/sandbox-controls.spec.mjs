// The sandbox's /_sandbox controls in a real browser: the demo page's own
// panel drives its embedded sandbox, and a page on any other origin cannot,
// neither with a CORS request nor with a simple POST that skips the preflight.

import { createServer } from "node:http";

import { test, expect, openDemo } from "./helpers.mjs";

test("the demo page's sandbox panel drives the embedded sandbox", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  await expect(page.locator("#sandbox-panel")).toBeVisible();
  await page.getByRole("button", { name: "Next 3 polls: 500", exact: true }).click();
  await expect(page.locator("#sandbox-said")).toHaveText("Done: Next 3 polls: 500");
  const pending = await (await fetch(new URL("_sandbox/faults", server.sandboxUrl))).json();
  expect(pending.pending).toEqual([expect.objectContaining({ route: "oauth-status", count: 3, status: 500 })]);
  await sandbox.reset();
});

test("a page on another origin cannot drive the sandbox", async ({ page, server, sandbox }) => {
  // Another site the developer has open: a real page on another loopback
  // port (a page Chromium sees as local, so its private-network rules do not
  // block the requests first: the sandbox itself has to say no).
  const site = createServer((_, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>elsewhere</title>"));
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  test.info().attach("foreign origin", { body: `http://127.0.0.1:${site.address().port}` });
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  const tries = await page.evaluate(async (base) => {
    const attempt = async (init) => {
      try {
        const response = await fetch(new URL("_sandbox/kill-switch", base), init);
        return `HTTP ${response.status}`;
      } catch (error) {
        return `blocked: ${error.name} ${error.message}`;
      }
    };
    const body = JSON.stringify({ scope: "global", enabled: true });
    return {
      // A CORS request: the preflight gets no allow headers, so it never goes.
      cors: await attempt({ method: "POST", headers: { "content-type": "application/json" }, body }),
      // A simple request: no preflight; the sandbox itself must refuse it.
      simple: await attempt({ method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body }),
    };
  }, server.sandboxUrl);
  expect(tries.cors).toMatch(/^blocked/);
  // An opaque answer: the page cannot see it, which is why the server must refuse.
  expect(tries.simple).toBe("HTTP 0");
  const switches = await (await fetch(new URL("_sandbox/kill-switch", server.sandboxUrl))).json();
  expect(switches.global).toBe(false);
  site.close();
  await sandbox.reset();
});
