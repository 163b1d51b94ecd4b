// Bundles the element's first paint into one module, dist/element.js: the
// class (js/element.js) with what it imports statically (the stylesheet
// module, js/first-paint.js and the templates the build rendered), minified.
// A page then fetches two small modules before the element can paint (the
// defining entry, dist/layers-connect.js, and this), not five: in a fresh
// browser context every module is one more request and one more task on a
// main thread that is busy laying out the page (README, Size and speed).
//
// The wasm glue stays apart (it is imported dynamically, after the first
// paint), and so does the entry: `layers-connect/element` must keep
// defining nothing, and `layers-connect`, `layers-connect/element` and
// `layers-connect/react` must share one class, so the entry and the React
// wrapper import this module rather than bundling a copy of it.
//
// usage: node scripts/bundle-element.mjs DIR   (bundles DIR/element.js in place)
import { rolldown } from "rolldown";
import { minify } from "terser";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir] = process.argv.slice(2);
if (!dir) throw new Error("usage: bundle-element.mjs DIR");
const entry = join(dir, "element.js");
const glue = "./pkg/layers_connect.js";

const bundle = await rolldown({
  input: entry,
  // The glue is loaded on demand, by the URL the element computes.
  external: [glue],
  platform: "browser",
});
const { output } = await bundle.generate({ format: "esm", codeSplitting: false });
await bundle.close();
if (output.length !== 1) throw new Error(`expected one chunk, got ${output.map((o) => o.fileName).join(", ")}`);
const bundled = output[0];
const inlined = bundled.moduleIds.map((id) => id.replace(/^.*\//, "")).sort();
const expected = ["element.js", "first-paint.js", "style.js", "templates.js"];
if (JSON.stringify(inlined) !== JSON.stringify(expected)) {
  throw new Error(`element bundle holds ${inlined.join(", ")}, expected ${expected.join(", ")}`);
}
// Property names stay (the class's public API and the wasm's calls on it);
// local names and comments go, as in the glue.
const min = await minify(bundled.code, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });
const header = "// layers-connect <layers-connect> element (js/element.js, js/first-paint.js, the stylesheet and\n// the first-paint templates), bundled by scripts/bundle-element.mjs. Sources: the package's js/.\n";
writeFileSync(entry, header + min.code + "\n");
// Their code is in the bundle now; nothing imports them any more.
for (const f of ["first-paint.js", "style.js", "templates.js"]) rmSync(join(dir, f));
console.error(`[build] element bundle: ${readFileSync(entry).length} bytes (${inlined.join(" + ")})`);
