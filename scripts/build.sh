#!/usr/bin/env bash
# Builds the portal: the browser bundle (hydrate wasm -> wasm-bindgen -> wasm-opt) into
# target/site/pkg, the stylesheet and public assets into target/site, then the `dds` server binary.
# The wasm step is skipped when none of its inputs changed since the last build.
#
# Usage: scripts/build.sh [--release | --site-only]
#   default: the dev profile; --site-only: the bundle and assets only (the test suite gets the
#   server binary from its own test build).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=dev
case "${1:-}" in
  --release) PROFILE=release ;;
  --site-only) PROFILE=none ;;
  "") ;;
  *) echo "usage: scripts/build.sh [--release | --site-only]" >&2; exit 2 ;;
esac
log() { printf '\033[1;34m[build]\033[0m %s\n' "$*" >&2; }

[ -f target/toolchain.env ] || scripts/toolchain.sh
# shellcheck source=/dev/null
. target/toolchain.env

SITE=target/site
PKG=$SITE/pkg
mkdir -p "$PKG"

# Everything the browser bundle is made from.
wasm_inputs_hash() {
  {
    find app/src wasm-crypto/src -type f -name '*.rs' -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock app/Cargo.toml wasm-crypto/Cargo.toml scripts/build.sh target/toolchain.env
  } | sha256sum | cut -d' ' -f1
}

HASH=$(wasm_inputs_hash)
if [ -f "$PKG/dds_bg.wasm" ] && [ "$(cat "$PKG/.inputs" 2>/dev/null)" = "$HASH" ]; then
  log "browser bundle is up to date"
else
  log "building the browser bundle (wasm32, $WASM_ROUTE)"
  # shellcheck disable=SC2086
  PATH="$WASM_PATH" "$WASM_CARGO" build -p app --lib --no-default-features --features hydrate \
    --target wasm32-unknown-unknown --profile wasm-release $WASM_CARGO_FLAGS --target-dir target/front
  wasm-bindgen --target web --no-typescript --out-name dds --out-dir "$PKG" \
    target/front/wasm32-unknown-unknown/wasm-release/app.wasm
  target/tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$PKG/dds_bg.wasm" -o "$PKG/dds_bg.wasm"
  echo "$HASH" > "$PKG/.inputs"
  log "browser bundle: $(du -h "$PKG/dds_bg.wasm" | cut -f1) wasm"
fi

cp style/main.css "$PKG/dds.css"
cp -r public/. "$SITE/"

[ "$PROFILE" = none ] && exit 0
log "building the server ($PROFILE)"
if [ "$PROFILE" = release ]; then cargo build -p server --release --bin dds; else cargo build -p server --bin dds; fi
