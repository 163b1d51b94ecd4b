// Accessibility: axe-core finds nothing in any state the widget can show, the
// live region announces each phase, and a keyboard-only customer can connect.

import AxeBuilder from "@axe-core/playwright";
import { test, expect, widget, openDemo, startInTab, consent, rewriteDemoPage } from "./helpers.mjs";

async function expectNoViolations(page, state, selector = "layers-connect") {
  const { violations } = await new AxeBuilder({ page }).include(selector).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), `axe in ${state}`).toEqual([]);
}

/** The phase is shown, announced, and clean under axe. */
async function checkState(page, w, phase, announcement) {
  await expect(w.root).toHaveAttribute("data-phase", phase);
  await expect(w.live).toHaveText(announcement);
  await expectNoViolations(page, phase);
}

test("idle, starting, waiting, finishing, connected: announced and axe-clean", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  const w = widget(page);
  await checkState(page, w, "idle", "");
  await expect(w.live).toHaveAttribute("aria-live", "polite");

  await sandbox.fault({ route: "oauth-url", delayMs: 2_500 });
  const popupPromise = page.waitForEvent("popup");
  await w.button("Connect TikTok").click();
  await checkState(page, w, "starting", "Opening TikTok…");
  const popup = await popupPromise;
  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
  await checkState(page, w, "waiting", "Finish connecting in the TikTok tab.");

  await sandbox.fault({ route: "oauth-status", count: 2, delayMs: 3_000 });
  await consent(popup, "Allow");
  await checkState(page, w, "finishing", "Finishing…");
  await expect(w.root).toHaveAttribute("data-phase", "connected", { timeout: 20_000 });
  await checkState(page, w, "connected", "Connected as @acmecoffee");
});

test("failed, cancelled, failed to start, unavailable: announced and axe-clean", async ({ page, server, sandbox }) => {
  await openDemo(page, server);
  const w = widget(page);
  await consent(await startInTab(page, "TikTok"), "Deny");
  await checkState(page, w, "failed", "You didn't give access on TikTok, so nothing was connected.");

  const popupPromise = page.waitForEvent("popup");
  await w.button("Try again").click();
  await (await popupPromise).waitForURL(/authorize/);
  await expect(w.root).toHaveAttribute("data-phase", "waiting");
  await w.button("Cancel").click();
  await checkState(page, w, "cancelled", "Connection cancelled.");
  await expect(w.button("Connect TikTok")).toBeVisible();

  await sandbox.fault({ route: "oauth-url", status: 403, code: "RETURN_URL_NOT_ALLOWED", message: "returnUrl is not allowed" });
  await w.button("Connect TikTok").click();
  await expect(w.root).toHaveAttribute("data-phase", "failed_to_start");
  await expect(w.live).toContainText("Connecting accounts isn't set up correctly:");
  await expectNoViolations(page, "failed_to_start");

  await w.button("Cancel").click();
  await expect(w.root).toHaveAttribute("data-phase", "idle");
  const popup = await startInTab(page, "Instagram");
  await sandbox.killSwitch("organization", true, "org_demo");
  await consent(popup, "Allow");
  await checkState(page, w, "unavailable", "Connecting accounts is unavailable right now (organization).");
});

test("expired and the blocked-tab link: announced and axe-clean", async ({ page, context, server, sandbox }) => {
  await context.addInitScript(() => {
    window.open = () => null;
  });
  await sandbox.settings({ stateTtlSeconds: 6 });
  await openDemo(page, server);
  const w = widget(page);
  await w.button("Connect TikTok").click();
  await expect(w.link).toHaveText("Continue to TikTok");
  await checkState(page, w, "waiting", "Your browser blocked the new tab.");
  await expect(w.root).toHaveAttribute("data-phase", "expired", { timeout: 12_000 });
  await checkState(page, w, "expired", "The link expired before you finished. Try again for a new one.");
});

test("invalid attributes: the widget says so and stays axe-clean", async ({ page, server }) => {
  await rewriteDemoPage(page, (html) =>
    html.replace("</layers-connect>", '</layers-connect><layers-connect id="bad" endpoint="/api/layers"></layers-connect>'),
  );
  await openDemo(page, server);
  const bad = widget(page, "#bad");
  await expect(bad.root).toHaveAttribute("data-phase", "invalid");
  await expect(bad.root).not.toHaveText("");
  await expect(bad.button("Connect TikTok")).toHaveCount(0);
  await expectNoViolations(page, "invalid", "#bad");
});

test("keyboard only: Tab to Connect TikTok, Enter, consent by keyboard, focus lands on the next action", async ({ page, server }) => {
  await openDemo(page, server);
  const w = widget(page);
  const connect = w.button("Connect TikTok");
  for (let i = 0; i < 20 && !(await connect.evaluate((el) => el.getRootNode().activeElement === el)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(connect).toBeFocused();

  const popupPromise = page.waitForEvent("popup");
  await page.keyboard.press("Enter");
  const popup = await popupPromise;
  await popup.waitForURL(/\/oauth\/tiktok\/authorize/);
  await expect(w.button("Cancel")).toBeFocused(); // the pressed button went away; focus did not fall to <body>

  const allow = popup.getByRole("button", { name: "Allow", exact: true });
  for (let i = 0; i < 20 && !(await allow.evaluate((el) => document.activeElement === el)); i++) {
    await popup.keyboard.press("Tab");
  }
  await expect(allow).toBeFocused();
  const closed = popup.waitForEvent("close");
  await popup.keyboard.press("Enter");
  await closed;

  await expect(w.live).toHaveText("Connected as @acmecoffee");
  await expect(w.button("Connect another account")).toBeFocused();
});
