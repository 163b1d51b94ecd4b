// Playwright: system Chromium from Debian (never a downloaded browser), see
// ../shared/design/TOOLCHAIN.md. Each spec file starts its own demo server
// (tests/support/demo-server.mjs), so files run in parallel without sharing
// sandbox state.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  testMatch: ["e2e/**/*.spec.mjs", "package/**/*.spec.mjs", "examples/**/*.spec.mjs"],
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    trace: "off",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
  },
});
