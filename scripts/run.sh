#!/usr/bin/env bash
# Quick start: install what is missing, build, then apply migrations/ to the embedded local
# PostgreSQL and show the result. Works on a fresh Debian 12 machine as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
bash scripts/build.sh "$root/build" -DCMAKE_BUILD_TYPE=Release
./build/cli/cora-migrate migrate
./build/cli/cora-migrate status
./build/cli/cora-migrate verify
