// Drives the apps in examples/ the way a partner would run them: the
// packed layers-connect tarball installed next to the app's locked
// dependencies, then its own build and server (next, vite) on loopback.

import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../package/helpers.mjs";

/** examples/<name> */
export const exampleDir = (name) => join(root, "examples", name);

const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
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
export function installExample(app, tarball) {
  const stampFile = join(app, "node_modules/.layers-connect-install.json");
  const stamp = { lock: sha256(join(app, "package-lock.json")), tarball: sha256(tarball) };
  const old = existsSync(stampFile) ? readFileSync(stampFile, "utf8") : "";
  if (old === JSON.stringify(stamp)) return { installed: false, ms: 0 };
  const t0 = Date.now();
  npm(["ci"], app);
  npm(["install", "--no-save", tarball], app);
  writeFileSync(stampFile, JSON.stringify(stamp));
  return { installed: true, ms: Date.now() - t0 };
}

/** The environment the examples read: where the proxy is; no telemetry. */
export const exampleEnv = (proxyUrl) => ({ ...process.env, LAYERS_PROXY_URL: proxyUrl, NEXT_TELEMETRY_DISABLED: "1" });

/**
 * Runs a Node CLI of the app (`node_modules/<bin>`) to completion.
 * @returns {number} milliseconds
 */
export function runExample(app, bin, args, proxyUrl) {
  const t0 = Date.now();
  try {
    execFileSync(process.execPath, [join(app, "node_modules", bin), ...args], {
      cwd: app,
      encoding: "utf8",
      env: exampleEnv(proxyUrl),
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw new Error(`${bin} ${args.join(" ")} failed:\n${error.stdout}\n${error.stderr}`);
  }
  return Date.now() - t0;
}

/**
 * A server of the app (`node_modules/<bin> ...args`) on 127.0.0.1:port, in
 * its own process group so that stop() ends it and anything it spawned.
 * Ready once `readyPath` answers 200 (in a dev server, that also compiles it).
 */
export async function serveExample(app, bin, args, { port, proxyUrl, readyPath }) {
  return serveProgram(process.execPath, [join(app, "node_modules", bin), ...args], {
    name: `${bin} ${args.join(" ")}`,
    cwd: app,
    env: exampleEnv(proxyUrl),
    port,
    readyPath,
  });
}

/**
 * Any server program (`file ...args`, e.g. a Rust binary) on
 * 127.0.0.1:port, the same way as serveExample.
 */
export async function serveProgram(file, args, { name = file, cwd, env, port, readyPath }) {
  const command = name;
  const child = spawn(file, args, {
    cwd,
    env,
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
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${logs.join("")}`);
    try {
      if ((await fetch(new URL(readyPath, url))).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} was not ready in 60 s:\n${logs.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, logs, stop };
}
