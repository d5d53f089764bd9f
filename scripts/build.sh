#!/usr/bin/env bash
# Builds the portal: the browser bundle (hydrate wasm -> wasm-bindgen -> wasm-opt) into
# target/site/pkg, the stylesheet, public assets and the crypto worker pool into target/site, then
# the `dds` server binary. A wasm step is skipped when none of its inputs changed.
#
# Usage: scripts/build.sh [--release | --site-only | --crypto-harness]
#   default           the site and the server (dev profile, shared with the test suite)
#   --release         the site and an optimised server
#   --site-only       the site only (the test suite gets the server from its own test build)
#   --crypto-harness  target/crypto-harness: wasm-crypto with its test vectors, the worker pool and
#                     the harness page used by end2end/tests/crypto.test.mjs and scripts/bench-crypto
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-dev}
case "$MODE" in
  dev | --release | --site-only | --crypto-harness) ;;
  *) echo "usage: scripts/build.sh [--release | --site-only | --crypto-harness]" >&2; exit 2 ;;
esac
log() { printf '\033[1;34m[build]\033[0m %s\n' "$*" >&2; }

[ -f target/toolchain.env ] || scripts/toolchain.sh
# shellcheck source=/dev/null
. target/toolchain.env

# build_wasm PACKAGE FEATURES OUT_DIR OUT_NAME SOURCE_DIR...: cargo (wasm32) -> wasm-bindgen ->
# wasm-opt, skipped when the hash of the inputs (the Rust files below the source dirs, the
# manifests, the toolchain) matches the last build's.
build_wasm() {
  local package=$1 features=$2 out=$3 name=$4
  shift 4
  local hash
  hash=$({
    find "$@" -type f -name '*.rs' -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock app/Cargo.toml wasm-crypto/Cargo.toml scripts/build.sh target/toolchain.env
    echo "$package $features"
  } | sha256sum | cut -d' ' -f1)
  mkdir -p "$out"
  if [ -f "$out/${name}_bg.wasm" ] && [ "$(cat "$out/.inputs" 2>/dev/null)" = "$hash" ]; then
    log "$package bundle is up to date"
    return
  fi
  log "building the $package bundle (wasm32, $WASM_ROUTE)"
  local artifact=${package//-/_}
  # shellcheck disable=SC2086
  PATH="$WASM_PATH" "$WASM_CARGO" build -p "$package" --lib --no-default-features --features "$features" \
    --target wasm32-unknown-unknown --profile wasm-release $WASM_CARGO_FLAGS --target-dir target/front
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "$out" \
    "target/front/wasm32-unknown-unknown/wasm-release/$artifact.wasm"
  target/tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  echo "$hash" > "$out/.inputs"
  log "$package bundle: $(du -h "$out/${name}_bg.wasm" | cut -f1) wasm"
}

if [ "$MODE" = --crypto-harness ]; then
  HARNESS=target/crypto-harness
  build_wasm wasm-crypto "wasm,test-vectors" "$HARNESS/pkg" wasm_crypto wasm-crypto/src
  cp wasm-crypto/harness/* wasm-crypto/js/*.js "$HARNESS/"
  mkdir -p "$HARNESS/vectors" && cp wasm-crypto/tests/vectors/*.json "$HARNESS/vectors/"
  exit 0
fi

SITE=target/site
build_wasm app hydrate "$SITE/pkg" dds app/src wasm-crypto/src
# The hashing worker's own module: the incremental SHA-256 alone (a few KB, not the app's bundle).
build_wasm wasm-crypto hash "$SITE/pkg/crypto" sha256 wasm-crypto/src
cp style/main.css "$SITE/pkg/dds.css"
mkdir -p "$SITE/pkg/crypto" && cp wasm-crypto/js/*.js "$SITE/pkg/crypto/"
cp -r public/. "$SITE/"

case "$MODE" in
  --site-only) exit 0 ;;
  --release) log "building the server (release)"; cargo build -p server --release --bin dds ;;
  *) log "building the server (dev)"; cargo build -p server --bin dds ;;
esac
