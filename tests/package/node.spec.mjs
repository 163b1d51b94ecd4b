// The published package where there is no DOM: a server render (Next.js,
// Nuxt, SvelteKit, Remix, Astro evaluate imports in Node). Every entry
// imports in plain Node from the installed tarball, throws nothing, defines
// nothing and adds no global. Also: the README's React snippets are the
// files tests/types type-checks, byte for byte.

import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installInto, pack, root } from "./helpers.mjs";

let packed;
let app;

test.beforeAll(() => {
  packed = pack();
  // React for `layers-connect/react`, linked from the repository's own
  // node_modules: no registry needed.
  app = installInto(packed.tarball, "lc-node-", ["react", "react-dom"].map((p) => join(root, "node_modules", p)));
});

test.afterAll(() => {
  for (const dir of [app, packed?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs an ES module in a fresh `node` in the consumer project; its stdout parsed as JSON. */
function run(source) {
  writeFileSync(join(app, "probe.mjs"), source);
  try {
    return JSON.parse(execFileSync(process.execPath, ["probe.mjs"], { cwd: app, encoding: "utf8" }));
  } catch (e) {
    throw new Error(`node probe.mjs failed:\n${e.stdout ?? ""}${e.stderr ?? e}`);
  }
}

test("every entry imports in plain Node, throws nothing and adds no global", () => {
  const result = run(`
const before = new Set(Object.getOwnPropertyNames(globalThis));
const main = await import("layers-connect");
const element = await import("layers-connect/element");
const ret = await import("layers-connect/return");
const react = await import("layers-connect/react");
const added = Object.getOwnPropertyNames(globalThis).filter((n) => !before.has(n));
console.log(JSON.stringify({
  added,
  dom: [typeof HTMLElement, typeof customElements, typeof window],
  sameClass: main.LayersConnectElement === element.LayersConnectElement,
  exports: { main: Object.keys(main).sort(), element: Object.keys(element).sort(), ret: Object.keys(ret), react: Object.keys(react) },
  defined: element.defineLayersConnect(),
  handleReturn: typeof ret.handleReturn,
  component: typeof react.LayersConnect,
}));
`);
  expect(result).toEqual({
    added: [],
    dom: ["undefined", "undefined", "undefined"],
    sameClass: true,
    exports: {
      main: ["LayersConnectElement", "defineLayersConnect"],
      element: ["LayersConnectElement", "TAG", "defineLayersConnect"],
      ret: ["handleReturn"],
      react: ["LayersConnect"],
    },
    // Without customElements there is nothing to define into.
    defined: false,
    handleReturn: "function",
    component: "object",
  });
});

test("the class entry defines nothing; the default entry defines the tag once, guarded", () => {
  // A stand-in DOM registry, to watch what each entry does with one.
  const result = run(`
const calls = [];
const registry = new Map();
globalThis.HTMLElement = class {};
globalThis.customElements = {
  get: (name) => registry.get(name),
  define: (name, cls) => { calls.push(name); registry.set(name, cls); },
};
const { LayersConnectElement } = await import("layers-connect/element");
const afterElement = calls.length;
await import("layers-connect/react");
const afterReact = calls.length;
await import("layers-connect");
await import("layers-connect/return");
console.log(JSON.stringify({
  afterElement, afterReact, calls,
  extendsHTMLElement: LayersConnectElement.prototype instanceof HTMLElement,
  registered: registry.get("layers-connect") === LayersConnectElement,
}));
`);
  expect(result).toEqual({
    afterElement: 0,
    afterReact: 0,
    calls: ["layers-connect"],
    extendsHTMLElement: true,
    registered: true,
  });
});

test("a server render of the React wrapper emits the tag with its attributes", () => {
  const result = run(`
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { LayersConnect } from "layers-connect/react";
console.log(JSON.stringify(renderToString(createElement(LayersConnect, {
  endpoint: "/api/layers", projectId: "prj_demo", platforms: ["instagram", "tiktok"], returnUrl: "/return.html",
  onConnected: () => {}, messages: { connect: "Link {platform}" },
}))));
`);
  expect(result).toBe(
    '<layers-connect endpoint="/api/layers" project-id="prj_demo" platforms="instagram tiktok" return-url="/return.html"></layers-connect>',
  );
});

test("the README's React snippets are the ones tests/types type-checks", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  for (const file of ["readme-wrapper.tsx", "readme-tag.tsx"]) {
    const code = readFileSync(join(root, "tests/types", file), "utf8");
    expect(readme, `README.md shows tests/types/${file} as a tsx block`).toContain("```tsx\n" + code + "```\n");
  }
});
