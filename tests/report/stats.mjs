// What both report scripts (report.mjs, push-report.mjs) share: the repo
// root, numeric command-line options, and the statistics they print.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** `--name=N` from the command line, or `fallback`. */
export const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split("=")[1]) : fallback;
};

const sorted = (xs) => [...xs].sort((a, b) => a - b);
export const median = (xs) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile. */
export const pct = (xs, p) => sorted(xs)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];
export const r1 = (x) => Math.round(x * 10) / 10;
export const stats = (xs) => ({
  n: xs.length,
  median: r1(median(xs)),
  p95: r1(pct(xs, 95)),
  min: r1(Math.min(...xs)),
  max: r1(Math.max(...xs)),
  samples: xs.map(r1),
});

/** A command's trimmed stdout in the repo root, or null if it fails. */
export const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
};
