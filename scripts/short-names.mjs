// Renames the wasm module's imports and exports to short names, in the wasm
// and in the wasm-bindgen glue that provides and calls them
// (scripts/build-widget.sh, after wasm-opt, before terser).
//
// Why: wasm-bindgen names each import `__wbg_<method>_<16 hex digits>` and
// puts all of them under the module "./layers_connect_bg.js". Each name is in
// the wasm's import section and again as a key of the glue's imports object;
// the hex digits are random to gzip, so the 160-odd names cost about 2.5 KB
// gzip for nothing (docs/size.md). Exports are fewer but some are long
// (`wasm_bindgen_<hash>___convert__closures_____invoke___…`, 100-300
// characters), each in the wasm and again as `wasm.<name>` in the glue.
// Here each import gets the next short identifier (`a`, `b`, … `$`, `aa`, …)
// in module "a", and each export the glue calls one of its own, in both
// files. Nothing else changes: the wasm's other sections are copied byte for
// byte, and the glue is checked to name every import exactly where
// wasm-bindgen put it and every renamed export only as `wasm.<name>`.
// It also drops the custom sections (producers, target_features, Leptos'
// __wasm_split_unstable): tool metadata no browser reads, 0.2 KB gzip.
//
// usage: node scripts/short-names.mjs <module_bg.wasm> <glue.js>
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath] = process.argv.slice(2);
if (!wasmPath || !gluePath) {
  console.error("usage: short-names.mjs <module_bg.wasm> <glue.js>");
  process.exit(2);
}
const fail = (why) => {
  console.error(`[short-names] ${why}`);
  process.exit(1);
};

const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");

// --- reading and writing the binary format's pieces ----------------------
function uleb(buf, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}
function encodeUleb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}
function name(buf, at) {
  const [len, start] = uleb(buf, at);
  return [buf.subarray(start, start + len).toString("utf8"), start + len];
}
const encodeName = (s) => Buffer.concat([encodeUleb(Buffer.byteLength(s)), Buffer.from(s)]);

// Skips one import description (the part after the two names).
function skipDesc(buf, at) {
  const kind = buf[at++];
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = uleb(buf, p);
    if (flags & 1) [, p] = uleb(buf, p);
    return p;
  };
  switch (kind) {
    case 0x00: return uleb(buf, at)[1]; // function: type index
    case 0x01: return limits(at + 1); // table: reference type, limits
    case 0x02: return limits(at); // memory: limits
    case 0x03: return at + 2; // global: value type, mutability
    default: fail(`import kind ${kind} is not one this script knows`);
  }
}

// Short names that are also plain JS identifiers, so the glue's object keys
// stay unquoted (terser, and every reader, expects that).
const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
const NEXT = FIRST + "0123456789";
const RESERVED = new Set(["do", "if", "in"]);
function* identifiers() {
  for (let length = 1; ; length++) {
    for (let n = 0; n < FIRST.length * NEXT.length ** (length - 1); n++) {
      let id = FIRST[n % FIRST.length];
      for (let rest = Math.floor(n / FIRST.length), k = 1; k < length; k++, rest = Math.floor(rest / NEXT.length)) id += NEXT[rest % NEXT.length];
      if (!RESERVED.has(id)) yield id;
    }
  }
}

// --- the import section ----------------------------------------------------
if (wasm.readUInt32LE(0) !== 0x6d736100 || wasm.readUInt32LE(4) !== 1) fail(`${wasmPath} is not a wasm module`);
const sections = [];
for (let at = 8; at < wasm.length; ) {
  const id = wasm[at];
  const [size, start] = uleb(wasm, at + 1);
  sections.push({ id, head: at, start, end: start + size });
  at = start + size;
}
const imports = sections.find((s) => s.id === 2);
if (!imports) fail("the module has no imports");

let [count, at] = uleb(wasm, imports.start);
const entries = [];
const renames = new Map();
const shortNames = identifiers();
for (let i = 0; i < count; i++) {
  const [module, afterModule] = name(wasm, at);
  const [field, afterField] = name(wasm, afterModule);
  const descEnd = skipDesc(wasm, afterField);
  const short = shortNames.next().value;
  if (renames.has(field)) fail(`import ${field} appears twice`);
  renames.set(field, { module, short });
  entries.push(Buffer.concat([encodeName("a"), encodeName(short), wasm.subarray(afterField, descEnd)]));
  at = descEnd;
}
if (at !== imports.end) fail("the import section did not parse to its end");

// --- the glue --------------------------------------------------------------
// wasm-bindgen's glue provides the imports as `imports = { "<module>": import0 }`
// with `import0 = { __proto__: null, <name>: function…, … }`: every name must
// occur exactly once, as a key, and no other part of the glue may mention it.
const modules = new Set([...renames.values()].map((r) => r.module));
if (modules.size !== 1) fail(`imports from ${modules.size} modules; expected wasm-bindgen's one`);
const [module] = modules;
const moduleKey = `${JSON.stringify(module)}: import0`;
if (glue.split(moduleKey).length !== 2) fail(`the glue does not provide ${moduleKey} exactly once`);
glue = glue.replace(moduleKey, `a: import0`);
for (const [field, { short }] of renames) {
  const key = new RegExp(`(?<=[\\s{,])${field.replace(/\$/g, "\\$")}(?=:)`, "g");
  const uses = glue.match(key)?.length ?? 0;
  const mentions = glue.split(field).length - 1;
  if (uses !== 1 || mentions !== 1) fail(`the glue has ${uses} keys and ${mentions} mentions of ${field}; expected 1 and 1`);
  glue = glue.replace(key, short);
}

// --- the export section ----------------------------------------------------
// The glue reaches every export as `wasm.<name>` (wasm = instance.exports);
// an export it never mentions keeps its name. So do the two that readers of
// the exports the glue's init() returns look up by wasm-bindgen's names: the
// linear memory and the externref table (the soak test measures both).
const KEEP = new Set(["memory", "__wbindgen_externrefs"]);
const exports = sections.find((s) => s.id === 7);
if (!exports) fail("the module has no exports");
const exportEntries = [];
let renamedExports = 0;
[count, at] = uleb(wasm, exports.start);
const exportCount = count;
for (let i = 0; i < exportCount; i++) {
  const [field, afterField] = name(wasm, at);
  const descEnd = uleb(wasm, afterField + 1)[1]; // kind, index
  const escaped = field.replace(/\$/g, "\\$");
  const use = new RegExp(`\\bwasm\\.${escaped}(?![\\w$])`, "g");
  const uses = glue.match(use)?.length ?? 0;
  const mentions = glue.match(new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, "g"))?.length ?? 0;
  let short = field;
  if (uses > 0 && !KEEP.has(field)) {
    // Other mentions may only be the glue's own function of the same name,
    // the invoke shim wasm-bindgen writes around the export
    // (`function <name>(…) { wasm.<name>(…) }`), which terser renames.
    const shim = glue.split(`function ${field}(`).length - 1;
    if (mentions !== uses && shim !== 1) fail(`the glue mentions export ${field} ${mentions} times, ${uses} as wasm.${field}`);
    do short = shortNames.next().value;
    while (renames.has(short) || glue.includes(`wasm.${short}`));
    glue = glue.replace(use, `wasm.${short}`);
    renamedExports++;
  }
  exportEntries.push(Buffer.concat([encodeName(short), wasm.subarray(afterField, descEnd)]));
  at = descEnd;
}
if (at !== exports.end) fail("the export section did not parse to its end");

const rebuilt = (id, count, entries) => {
  const body = Buffer.concat([encodeUleb(count), ...entries]);
  return Buffer.concat([Buffer.from([id]), encodeUleb(body.length), body]);
};
const out = Buffer.concat([
  wasm.subarray(0, 8),
  ...sections.flatMap((s) => {
    if (s === imports) return [rebuilt(2, entries.length, entries)];
    if (s === exports) return [rebuilt(7, exportCount, exportEntries)];
    if (s.id === 0) return [];
    return [wasm.subarray(s.head, s.end)];
  }),
]);
writeFileSync(wasmPath, out);
writeFileSync(gluePath, glue);
console.error(`[short-names] ${entries.length} imports and ${renamedExports} exports renamed: wasm ${wasm.length} → ${out.length} bytes`);
