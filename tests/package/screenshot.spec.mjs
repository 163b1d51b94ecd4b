// The README's screenshot: the real demo page (www/) after one TikTok
// connection. docs/demo.png is written only when UPDATE_SCREENSHOT=1 or when
// it does not exist yet, so a test run never dirties the tree; the page is
// checked either way.

import { test, expect } from "@playwright/test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startDemo } from "../support/demo-server.mjs";
import { connectTikTok, root, watchErrors } from "./helpers.mjs";

const target = join(root, "docs/demo.png");

let demo;
test.beforeAll(async () => {
  demo = await startDemo();
});
test.afterAll(async () => {
  await demo?.stop();
});

test.use({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: "light" });

test("the demo page after a connection (docs/demo.png)", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(demo.url);
  await expect(page.getByRole("heading", { name: "Acme Dashboard · Social accounts" })).toBeVisible();
  await expect(page.locator("#sandbox-panel")).toBeVisible();
  await connectTikTok(page);
  await expect(page.locator("layers-connect [part~=connected]")).toBeVisible();
  const log = page.locator("#log li");
  await expect(log.filter({ hasText: "layers-connected" })).toHaveCount(1);
  await expect(log.filter({ hasText: "layers-status" }).first()).toBeVisible();
  expect(errors).toEqual([]);

  // Clock text in the log differs per run; nothing else moves.
  await page.evaluate(() => document.activeElement?.blur());
  const shot = await page.screenshot({ animations: "disabled", caret: "hide" });
  expect(shot.length).toBeGreaterThan(10_000);
  if (process.env.UPDATE_SCREENSHOT === "1" || !existsSync(target)) {
    await page.screenshot({ path: target, animations: "disabled", caret: "hide" });
  }
});
