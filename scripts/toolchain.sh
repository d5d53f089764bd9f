#!/usr/bin/env bash
# Makes this machine able to build and test DDS, idempotently. A second run does nothing and takes
# seconds. It is the only place that knows how the wasm32 toolchain is obtained: it writes the chosen
# route to target/toolchain.env, which scripts/build.sh and scripts/test.sh source.
#
# Usage: scripts/toolchain.sh [--for-tests]
#   --for-tests: also Chromium + chromedriver, the end2end npm packages and cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)
BINARYEN_NPM_VERSION=132.0.0
FOR_TESTS=0
[ "${1:-}" = "--for-tests" ] && FOR_TESTS=1

log() { printf '\033[1;34m[toolchain]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $APT_UPDATED = 0 ]; then log "apt-get update"; as_root apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

mkdir -p target
ENV_FILE=target/toolchain.env

# 1. Host tools: rustup's stable toolchain with rustfmt/clippy; cargo-nextest.
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first (https://rustup.rs)" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
command -v cargo-nextest >/dev/null || { log "installing cargo-nextest"; cargo install cargo-nextest --locked; }
apt_install pkg-config

# 2. The wasm32 target: rustup's where it exists or can be added; otherwise Debian's rustc-web with
#    build-std (machines without rustup downloads, see docs/toolchain.md). DDS_WASM_ROUTE=debian
#    forces the second route (to test it on a machine that has the first).
FORCED=${DDS_WASM_ROUTE:-}
if [ -f "$ENV_FILE" ] && . "$ENV_FILE" && [ -n "${WASM_ROUTE:-}" ] && [ -x "$WASM_CARGO" ] \
  && { [ -z "$FORCED" ] || [ "$WASM_ROUTE" = "debian-build-std" ]; }; then
  :
elif [ "$FORCED" != debian ] && { rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
  || timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; }; then
  cat >"$ENV_FILE" <<ENV
WASM_ROUTE=rustup
WASM_CARGO=$(command -v cargo)
WASM_PATH=$PATH
WASM_CARGO_FLAGS=""
ENV
else
  log "rustup has no wasm32 target here: using Debian's rustc-web with -Zbuild-std"
  apt_install rustc-web cargo-web rust-web-src lld
  cat >"$ENV_FILE" <<ENV
WASM_ROUTE=debian-build-std
WASM_CARGO=/usr/bin/cargo
WASM_PATH=/usr/bin:$PATH
WASM_CARGO_FLAGS="-Zbuild-std=std,panic_abort"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld
ENV
fi

# 3. wasm-bindgen-cli: exactly the version of the wasm-bindgen crate pinned in Cargo.toml.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # No --locked: its lockfile names a webpki-roots version some registries lack.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 4. wasm-opt: binaryen >= 116 from npm (Debian's binaryen 108 corrupts wasm-bindgen output).
mkdir -p target/tools
if [ ! -x target/tools/node_modules/.bin/wasm-opt ]; then
  log "installing binaryen $BINARYEN_NPM_VERSION (wasm-opt) from npm"
  (cd target/tools && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_NPM_VERSION" >/dev/null)
fi

# 5. Tests: Debian's Chromium + chromedriver, the end2end npm packages (never a browser download),
#    and cargo-fuzz for the fuzz smoke run.
if [ $FOR_TESTS = 1 ]; then
  command -v cargo-fuzz >/dev/null || { log "installing cargo-fuzz"; cargo install cargo-fuzz --locked; }
  apt_install chromium chromium-driver
  if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing end2end npm packages"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
fi
log "ready ($(. "$ENV_FILE"; echo "wasm route: $WASM_ROUTE"))"
