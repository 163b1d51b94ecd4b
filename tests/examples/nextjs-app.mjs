// Drives examples/nextjs the way a partner would run it: the packed
// layers-connect tarball installed next to the locked `next`, `react` and
// `react-dom`, `next build`, then `next start` (or `next dev`) on loopback.

import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../package/helpers.mjs";

export const app = join(root, "examples/nextjs");
const next = join(app, "node_modules/next/dist/bin/next");
const stampFile = join(app, "node_modules/.layers-connect-install.json");

const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

const npm = (args) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: app,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/**
 * `npm ci` from the committed lock, then the tarball with `--no-save` (it is
 * built by the test, so neither package.json nor the lock can name it).
 * Skipped when the lock and the tarball are byte for byte those of the last
 * install: `npm pack` output is reproducible, so an unchanged dist/ gives
 * the same hash.
 * @returns {{ installed: boolean, ms: number }}
 */
export function installExample(tarball) {
  const stamp = { lock: sha256(join(app, "package-lock.json")), tarball: sha256(tarball) };
  const old = existsSync(stampFile) ? readFileSync(stampFile, "utf8") : "";
  if (old === JSON.stringify(stamp) && existsSync(next)) return { installed: false, ms: 0 };
  const t0 = Date.now();
  npm(["ci"]);
  npm(["install", "--no-save", tarball]);
  writeFileSync(stampFile, JSON.stringify(stamp));
  return { installed: true, ms: Date.now() - t0 };
}

const nextEnv = (proxyUrl) => ({ ...process.env, LAYERS_PROXY_URL: proxyUrl, NEXT_TELEMETRY_DISABLED: "1" });

/**
 * `next build`, every time: the proxy URL is baked into the rewrites at
 * build time and changes with each run's demo port. Turbopack's file-system
 * cache in .next/ keeps a rebuild short.
 * @returns {number} milliseconds
 */
export function buildExample(proxyUrl) {
  const t0 = Date.now();
  try {
    execFileSync(process.execPath, [next, "build"], {
      cwd: app,
      encoding: "utf8",
      env: nextEnv(proxyUrl),
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw new Error(`next build failed:\n${error.stdout}\n${error.stderr}`);
  }
  return Date.now() - t0;
}

/**
 * `next start` or `next dev` on 127.0.0.1:port, in its own process group so
 * that stop() ends it and anything it spawned.
 * @param {"start" | "dev"} command
 */
export async function serveExample(command, port, proxyUrl) {
  const child = spawn(process.execPath, [next, command, "-p", String(port), "-H", "127.0.0.1"], {
    cwd: app,
    env: nextEnv(proxyUrl),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const logs = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => logs.push(chunk));
  }
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => kill("SIGKILL");
  process.once("exit", onExit);
  const stop = () =>
    new Promise((resolve) => {
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      kill("SIGTERM");
      setTimeout(() => kill("SIGKILL"), 5_000).unref();
    });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next ${command} exited with ${child.exitCode}:\n${logs.join("")}`);
    try {
      // Ready once the return page answers (in dev, this also compiles it).
      if ((await fetch(new URL("connect/return", url))).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next ${command} was not ready in 60 s:\n${logs.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, logs, stop };
}
