#!/usr/bin/env bash
# Builds the portal and starts it on the embedded defaults (SQLite, embedded S3 and a mail outbox
# under ./data), seeded with the DDS development accounts. Installs what it needs first.
#
# Usage: scripts/start.sh        (environment variables from README.md apply, e.g. DDS_LISTEN)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/toolchain.sh
scripts/build.sh --release

export DDS_SITE_ROOT=${DDS_SITE_ROOT:-$PWD/target/site}
target/release/dds init-db dev
echo "Development accounts: superadmin, unitadmin_1..3, unituser_1..2, researchuser_1..2 (password: password)."
echo "Mail is written to ${DDS_DATA_DIR:-./data}/outbox. Stop with Ctrl-C."
exec target/release/dds serve
