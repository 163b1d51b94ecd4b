// Shared by the package specs: pack the package as npm would publish it,
// install the tarball into a throwaway project under the OS temp dir, and
// drive one real TikTok connection through the embedded sandbox.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "@playwright/test";

export const root = fileURLToPath(new URL("../..", import.meta.url));

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/**
 * `npm pack --ignore-scripts` of the repository into a fresh temp dir.
 * dist/ must already be built (npm test builds it; `prepack` would rebuild it,
 * which is why it is skipped here).
 * @returns {{ dir: string, tarball: string, files: string[], entry: any }}
 */
export function pack() {
  for (const f of ["dist/layers-connect.js", "dist/pkg/layers_connect_bg.wasm"]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run bash scripts/build-widget.sh first`);
  }
  const dir = mkdtempSync(join(tmpdir(), "lc-pack-"));
  const [entry] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], root));
  return { dir, tarball: join(dir, entry.filename), files: entry.files.map((f) => f.path).sort(), entry };
}

/**
 * A new temp project with the tarball installed, and nothing else but
 * `links`: package folders (e.g. the repository's node_modules/react), which
 * npm links, so no registry is needed.
 */
export function installInto(tarball, prefix, links = []) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  npm(["install", tarball, ...links], dir);
  return dir;
}

/** Collects console errors and page errors of a page. */
export function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/**
 * On a page showing an idle <layers-connect>: Connect TikTok → Allow in the
 * sandbox popup → the return page closes the popup → "Connected as
 * @acmecoffee", and exactly one `layers-connected` event.
 */
export async function connectTikTok(page) {
  await page.evaluate(() => {
    window.__connected = [];
    document
      .querySelector("layers-connect")
      .addEventListener("layers-connected", (e) => window.__connected.push(e.detail));
  });
  const [popup] = await Promise.all([
    page.waitForEvent("popup", { timeout: 15_000 }),
    page.getByRole("button", { name: "Connect TikTok" }).click(),
  ]);
  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
  // Listen before clicking: the return page can close the tab before click()
  // resolves, and a "close" listener added after that would wait forever.
  const closed = popup.waitForEvent("close", { timeout: 15_000 });
  await popup.getByRole("button", { name: "Allow", exact: true }).click({ timeout: 15_000 });
  await closed;
  const connected = page.locator("layers-connect [part~=connected]");
  await expect(connected).toContainText("Connected as @acmecoffee");
  await page.waitForTimeout(200); // a second event would arrive by now
  const events = await page.evaluate(() => window.__connected);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ platform: "tiktok", handle: "acmecoffee" });
  expect(events[0].socialAccountId).toMatch(/^sa_/);
  return events[0];
}
