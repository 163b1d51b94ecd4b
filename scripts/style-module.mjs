// Writes the widget's stylesheet (src/ui/style.css) as a JS module whose
// default export is the CSS text. The element adopts it as a constructable
// stylesheet, which a strict CSP (`style-src 'self'`, no 'unsafe-inline')
// allows, unlike a <style> in the shadow root. Comments and runs of
// whitespace go: nobody reads them in the browser.
//
// usage: node scripts/style-module.mjs src/ui/style.css dist/style.js
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error("usage: style-module.mjs INPUT.css OUTPUT.js");
const css = readFileSync(input, "utf8")
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/\s+/g, " ")
  .trim();
writeFileSync(output, `// Generated from ${input} by scripts/style-module.mjs.\nexport default ${JSON.stringify(css)};\n`);
