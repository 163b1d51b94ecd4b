// Starts the demo server (layers-demo: the proxy in front of its embedded sandbox) on a
// free loopback port, for the Playwright suite and the report. It serves the
// built widget from dist/ (scripts/build-widget.sh) and stops with the process.

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The demo server binary: LAYERS_DEMO_BIN, else the debug build `npm test` makes. */
export function demoBinary() {
  const bin = process.env.LAYERS_DEMO_BIN ?? `${root}target/debug/layers-demo`;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build -p layers-demo\` (npm test does)`);
  return bin;
}

/**
 * @param {{ env?: Record<string,string>, log?: (line: string) => void }} [options]
 * @returns {Promise<{ url: string, sandboxUrl: string, logs: string[], stop: () => Promise<void> }>}
 */
export async function startDemo(options = {}) {
  const port = await freePort();
  const child = spawn(demoBinary(), [], {
    cwd: root,
    env: { ...process.env, PORT: String(port), RUST_LOG: process.env.RUST_LOG ?? "info", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = [];
  const ready = new Promise((resolve, reject) => {
    let sandboxUrl = null;
    const onLine = (line) => {
      logs.push(line);
      options.log?.(line);
      const sandbox = line.match(/embedded Layers sandbox at (\S+)/);
      if (sandbox) sandboxUrl = sandbox[1];
      if (line.startsWith("Demo page:")) resolve({ sandboxUrl });
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        buffer += chunk;
        let i;
        while ((i = buffer.indexOf("\n")) >= 0) {
          onLine(buffer.slice(0, i));
          buffer = buffer.slice(i + 1);
        }
      });
    }
    child.on("exit", (code) => reject(new Error(`layers-demo exited with ${code} before it was ready:\n${logs.join("\n")}`)));
    setTimeout(() => reject(new Error(`layers-demo was not ready in 20 s:\n${logs.join("\n")}`)), 20_000).unref();
  });
  // The test process's exit takes the server with it; a stopped server
  // drops its listener, or a file that starts many servers warns of a leak.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  const stop = () =>
    new Promise((resolve) => {
      process.off("exit", onExit);
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  try {
    const { sandboxUrl } = await ready;
    return { url: `http://127.0.0.1:${port}/`, sandboxUrl, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
