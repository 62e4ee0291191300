#!/usr/bin/env bash
# Builds the npm package into wasm/pkg/ and packs it into wasm/dist/lagom-billing-VERSION.tgz:
# the core compiled to wasm32 (size-focused profile), wasm-bindgen's `--target web` glue, wasm-opt -Oz
# (npm binaryen, never Debian's), the hand-written entries from js/ and a generated package.json.
# Needs `npm ci` in wasm/ first (./x does it).
set -euo pipefail
cd "$(dirname "$0")"

profile=wasm-release
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).target_directory)')

cargo build --profile "$profile" --target wasm32-unknown-unknown -p lagom-wasm
rm -rf pkg dist
wasm-bindgen --target web --out-dir pkg --out-name lagom_wasm \
  "$target_dir/wasm32-unknown-unknown/$profile/lagom_wasm.wasm"
# The type declarations come from the core's Rust types (tsify), doc comments included: drop the Rust
# examples (fenced blocks) those comments carry, which mean nothing to a TypeScript reader.
perl -0pi -e 's/^[ \t]*\*\n[ \t]*\* ```.*\n(?:[ \t]*\*(?! ```).*\n)*?[ \t]*\* ```\n//mg' pkg/lagom_wasm.d.ts
# The features rustc 1.95 enables by default for wasm32-unknown-unknown, which the output already uses.
npx --no-install wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/lagom_wasm_bg.wasm -o pkg/lagom_wasm_bg.wasm
cp js/index.js js/node.js js/plugin.js js/index.d.ts README.md pkg/
node package.mjs > pkg/package.json
mkdir dist
(cd pkg && npm pack --silent --pack-destination ../dist >/dev/null)
ls dist/*.tgz
