// The README's Frameworks recipes are the example apps' files, byte for
// byte, so what partners copy is what tests/examples/ builds and drives.

import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../package/helpers.mjs";

const RECIPES = [
  ["ts", "nextjs/next.config.ts"],
  ["tsx", "nextjs/app/page.tsx"],
  ["tsx", "nextjs/app/connect-panel.tsx"],
  ["tsx", "nextjs/app/connect/return/page.tsx"],
  ["tsx", "nextjs/app/connect/return/return-handler.tsx"],
  ["js", "vite/vite.config.js"],
  ["html", "vite/index.html"],
  ["js", "vite/main.js"],
  ["html", "vite/return.html"],
  ["js", "vite/return.js"],
  ["toml", "leptos-ssr/Cargo.toml"],
  ["rust", "leptos-ssr/src/app.rs"],
  ["rust", "leptos-ssr/src/lib.rs"],
];

/** The README's "## Frameworks" section, up to the next "## ". */
function frameworksSection(readme) {
  const start = readme.indexOf("\n## Frameworks\n");
  if (start < 0) return "";
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test("the README's Frameworks snippets are the example apps' files", () => {
  const section = frameworksSection(readFileSync(join(root, "README.md"), "utf8"));
  expect(section, "README.md has a ## Frameworks section").not.toBe("");
  for (const [lang, file] of RECIPES) {
    const code = readFileSync(join(root, "examples", file), "utf8");
    expect(section, `README.md's Frameworks section shows examples/${file} as a ${lang} block`).toContain(
      "```" + lang + "\n" + code + "```\n",
    );
  }
});
