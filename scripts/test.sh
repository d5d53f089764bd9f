#!/usr/bin/env bash
# The whole test suite, as README.md gives it and .ci/run calls it: formatting, clippy (warnings
# denied), every Rust test against SQLite AND PostgreSQL, the wasm build, and the end2end journeys
# in headless Chromium. Installs what it needs first (scripts/toolchain.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "toolchain"
scripts/toolchain.sh --for-tests

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "clippy (warnings denied)"
cargo clippy --workspace --all-targets -- -D warnings
# The browser-only code, checked natively (web-sys and js-sys compile on the host too).
cargo clippy -p app --lib --no-default-features --features hydrate -- -D warnings
cargo clippy -p wasm-crypto --all-targets --features wasm,test-vectors -- -D warnings

step "PostgreSQL for the database tests"
# A local server with a throwaway database per test; start (or install) one if none answers.
PG_URL=${DDS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_up() { psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; }
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing PostgreSQL"
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  for version in $(ls /etc/postgresql); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  if ! pg_up; then
    # A fresh Debian cluster wants a password on TCP: give the postgres role one for the tests.
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    PG_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres
  fi
  pg_up || { echo "PostgreSQL is not reachable at $PG_URL" >&2; exit 1; }
fi
export DDS_TEST_POSTGRES_URL=$PG_URL
# Databases left behind by an interrupted earlier run.
for db in $(psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'dds_test_%'"); do
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
echo "using $PG_URL"

step "Rust tests (SQLite and PostgreSQL)"
cargo nextest run --workspace --no-fail-fast

step "fuzz smoke: header parsing and decryption of mutated files (bounded)"
# Nightly where rustup has it (cargo-fuzz's default); otherwise stable with unstable flags allowed
# and no sanitizer.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  (cd wasm-crypto && cargo +nightly fuzz run decrypt -- -runs=200000 -max_total_time=60)
else
  (cd wasm-crypto && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none decrypt -- -runs=200000 -max_total_time=60)
fi

step "build: browser bundles (the server binary comes from the test build above)"
scripts/build.sh --site-only
scripts/build.sh --crypto-harness

step "end2end (headless Chromium)"
cd end2end
DDS_BIN="$ROOT/target/debug/dds" DDS_SITE_ROOT="$ROOT/target/site" \
  DDS_CRYPTO_HARNESS="$ROOT/target/crypto-harness" npm test
