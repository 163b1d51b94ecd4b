#!/usr/bin/env bash
# Builds the shipped widget into dist/: the wasm module (size profile, then
# wasm-opt from npm's binaryen, see TOOLCHAIN.md), the wasm-bindgen glue, and
# the hand-written element, React wrapper, types and return-page helper from
# js/, and the stylesheet as a module.
set -euo pipefail
cd "$(dirname "$0")/.."

# One build at a time: dist/ is replaced whole, and test suites may call this
# concurrently.
mkdir -p target
exec 9>target/.build-widget.lock
flock 9

# A target dir of its own: the wasm build shares nothing with the server
# crates and must not wait on their build lock.
target=target/wasm
# Panic locations name source files; without remapping they carry this
# machine's paths (/root/.cargo/registry/…, the toolchain's std) into the
# shipped wasm. The checkout needs no remap: cargo names this crate's files
# relative to it (src/…), and a flag naming the checkout would make every
# clone or worktree rebuild all dependencies (check-wasm-paths.sh below
# fails the build if the checkout's path ever shows up). The flags go to this release build only (CARGO_ENCODED_RUSTFLAGS, the
# target's units only): the browser tests' debug build in the same target dir
# keeps its own cache, and only the first build after a change of flags
# recompiles the dependencies.
repo=$(pwd -P)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
sep=$'\x1f'
rustflags="--remap-path-prefix=$cargo_home=/cargo$sep--remap-path-prefix=$rustup_home=/rustup"

# Which Rust builds the wasm (LAYERS_WASM_TOOLCHAIN=nightly|stable, default:
# nightly when it has rust-src, else stable). Nightly rebuilds std for size
# (TOOLCHAIN.md): a panic aborts at once, without formatting a message or
# keeping file names and lines, and `{:?}` prints nothing (-Zfmt-debug=none;
# no message the customer or the console shows uses it). A panic is the same
# `RuntimeError: unreachable` in the browser either way: the stable build's
# panic hook has nowhere to print on wasm32-unknown-unknown.
wasm_toolchain=${LAYERS_WASM_TOOLCHAIN:-auto}
if [ "$wasm_toolchain" = auto ]; then
  wasm_toolchain=stable
  if rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src' &&
     rustup target list --toolchain nightly --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    wasm_toolchain=nightly
  fi
fi
wasm_env=()
if [ "$wasm_toolchain" = nightly ]; then
  # As environment, so the cargo line below is the same for both toolchains.
  wasm_env=(RUSTUP_TOOLCHAIN=nightly CARGO_UNSTABLE_BUILD_STD=std,panic_abort)
  rustflags+="$sep-Zunstable-options$sep-Cpanic=immediate-abort$sep-Zlocation-detail=none$sep-Zfmt-debug=none"
  # Its own target dir: std and every dependency are built by another compiler.
  target=target/wasm-nightly
elif [ "$wasm_toolchain" != stable ]; then
  echo "[build] LAYERS_WASM_TOOLCHAIN must be nightly or stable, not '$wasm_toolchain'" >&2
  exit 2
fi
# For measuring a lever without editing this file (space-separated flags).
rustflags+=${LAYERS_WASM_EXTRA_RUSTFLAGS:+$sep${LAYERS_WASM_EXTRA_RUSTFLAGS// /$sep}}

env "${wasm_env[@]}" CARGO_ENCODED_RUSTFLAGS="$rustflags" \
  cargo build --locked --lib --target wasm32-unknown-unknown --features csr --profile wasm-release --target-dir "$target"

out=dist
rm -rf "$out.tmp" && mkdir -p "$out.tmp/pkg"
# The flags every wasm-opt run here needs (see the -Oz run below for why).
wasm_features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-reference-types --enable-multivalue --enable-mutable-globals)
# Leptos turns on server_fn's `browser` feature, which links wasm-streams,
# whose three #[wasm_bindgen] classes (IntoUnderlyingSource, …Sink,
# …ByteSource) are exports, so LTO and wasm-opt must keep them and all they
# call: 1.5 KB gzip of wasm and 0.3 KB of glue (docs/size.md). Only server
# functions' streaming bodies create them, and this crate has no server
# functions. Their exports go before wasm-bindgen, which then leaves the
# classes' JS shells without methods; -g keeps the names wasm-bindgen reads.
pre_wasm="$out.tmp/pkg/layers_connect.wasm"
node node_modules/binaryen/bin/wasm-opt -g "${wasm_features[@]}" \
  --remove-exports --pass-arg='remove-exports@*intounderlying*' --remove-unused-module-elements \
  -o "$pre_wasm" "$target/wasm32-unknown-unknown/wasm-release/layers_connect.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$out.tmp/pkg" "$pre_wasm"
rm "$pre_wasm"

# Debian's wasm-opt 108 produces modules Chromium rejects; binaryen 132 from npm
# with exactly these features is the combination that instantiates.
# Inlining every function that has one caller (binaryen's default) builds
# huge functions that compress badly; capping it at 20 bytes, run to a fixed
# point, gives 294 KB raw / 110 KB gzip instead of 298 / 121, for 11 s more
# build time and no measurable change in time to interactive.
node node_modules/binaryen/bin/wasm-opt -Oz --one-caller-inline-max-function-size 20 --converge \
  "${wasm_features[@]}" -o "$out.tmp/pkg/layers_connect_bg.wasm" "$out.tmp/pkg/layers_connect_bg.wasm"

# wasm-bindgen's import names (`__wbg_set_<16 hex digits>`, 160-odd, each in
# the wasm and again in the glue) and the long export names the glue calls
# (`wasm_bindgen_<hash>___convert__closures_____invoke___…`) become `a`, `b`,
# …: 3.3 KB gzip of wasm and 2.4 KB of glue (docs/size.md). The script fails
# the build unless the glue names each of them only where wasm-bindgen does.
# It also drops the custom sections no browser reads (producers,
# target_features, Leptos' __wasm_split_unstable): 0.2 KB gzip.
node scripts/short-names.mjs "$out.tmp/pkg/layers_connect_bg.wasm" "$out.tmp/pkg/layers_connect.js"

# The glue is generated code that nobody reads in the browser: minified it is
# 22 KB instead of 50 (6.6 KB instead of 9 gzip) for pages without a bundler.
node node_modules/terser/bin/terser "$out.tmp/pkg/layers_connect.js" --module --compress --mangle \
  -o "$out.tmp/pkg/layers_connect.js"

# The shipped module must not name the build machine's directories.
bash scripts/check-wasm-paths.sh "$out.tmp/pkg/layers_connect_bg.wasm" "$repo"

cp js/*.js js/*.d.ts "$out.tmp/"

# --- First paint (issue 12) ---------------------------------------------
# The element's first screens (idle, and "Opening…" after an early click),
# rendered by the Leptos view itself on the server (feature `ssr`), one set
# per language, as dist/templates.js for js/first-paint.js. A native build
# in target/, next to the server crates; it never goes stale, as every build
# renders it again from the view of this checkout.
cargo build --locked --quiet --features ssr --example first_paint
target/debug/examples/first_paint "$out.tmp/templates.js"
# --- end first paint -----------------------------------------------------
# The element adopts this stylesheet in its shadow root (CSP-safe, see there).
node scripts/style-module.mjs src/ui/style.css "$out.tmp/style.js"
# One module for the first paint: the class, the stylesheet, first-paint.js
# and the templates, bundled into dist/element.js and minified (the sources
# stay separate modules in js/). The entry, layers-connect.js, imports it.
node scripts/bundle-element.mjs "$out.tmp"
# What built the wasm, for the report (not shipped: package.json's files).
printf '{"toolchain":"%s","rustc":"%s","extraRustflags":"%s"}\n' "$wasm_toolchain" \
  "$(env "${wasm_env[@]}" rustc --version)" "${LAYERS_WASM_EXTRA_RUSTFLAGS:-}" >"$out.tmp/build.json"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "[build] widget in $out/: $(du -b $out/pkg/layers_connect_bg.wasm | cut -f1) bytes of wasm ($wasm_toolchain)" >&2
