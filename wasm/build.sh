#!/usr/bin/env bash
# Builds the npm package into wasm/pkg/ and packs it into wasm/dist/lagom-billing-VERSION.tgz:
# the core compiled to wasm32 twice — the full module (lagom_wasm: profile wasm-speed and wasm-opt -Os,
# the simulator's speed first) and the eval-only one (lagom_eval, without the `simulator` feature, behind
# `lagom-billing/eval`: profile wasm-release and wasm-opt -Oz, size first) —, each through wasm-bindgen's
# `--target web` glue and wasm-opt (npm binaryen, never Debian's), the hand-written entries from js/ and
# a generated package.json. Prints both modules' gzipped sizes.
# Needs `npm ci` in wasm/ first (./x does it).
set -euo pipefail
cd "$(dirname "$0")"

target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).target_directory)')

# module NAME PROFILE WASM_OPT_LEVEL [CARGO FLAGS...]: builds pkg/NAME.js, pkg/NAME.d.ts and
# pkg/NAME_bg.wasm with that cargo profile and `wasm-opt -WASM_OPT_LEVEL`.
module() {
  local name=$1 profile=$2 level=$3
  shift 3
  cargo build --profile "$profile" --target wasm32-unknown-unknown -p lagom-wasm "$@"
  wasm-bindgen --target web --out-dir pkg --out-name "$name" \
    "$target_dir/wasm32-unknown-unknown/$profile/lagom_wasm.wasm"
  # The type declarations come from the core's Rust types (tsify), doc comments included: drop the Rust
  # examples (fenced blocks) those comments carry, which mean nothing to a TypeScript reader.
  perl -0pi -e 's/^[ \t]*\*\n[ \t]*\* ```.*\n(?:[ \t]*\*(?! ```).*\n)*?[ \t]*\* ```\n//mg' "pkg/${name}.d.ts"
  # The features rustc 1.95 enables by default for wasm32-unknown-unknown, which the output already uses.
  npx --no-install wasm-opt "-$level" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "pkg/${name}_bg.wasm" -o "pkg/${name}_bg.wasm"
}

rm -rf pkg dist
module lagom_wasm wasm-speed Os
module lagom_eval wasm-release Oz --no-default-features
cp js/*.js js/*.d.ts README.md pkg/
node package.mjs > pkg/package.json
for wasm in pkg/lagom_wasm_bg.wasm pkg/lagom_eval_bg.wasm; do
  echo "$wasm: $(wc -c < "$wasm") B, $(gzip -9 -c "$wasm" | wc -c) B gzipped"
done
mkdir dist
(cd pkg && npm pack --silent --pack-destination ../dist >/dev/null)
ls dist/*.tgz
