#!/usr/bin/env bash
# Quick start: install what building and running need, build the binary alone (no tests), then
# apply migrations/ to the embedded local PostgreSQL and show the result. Works on a fresh
# Debian 12 machine as root. --local: the embedded database on purpose, so CI=true is fine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
bash scripts/build.sh "$root/build" -DCMAKE_BUILD_TYPE=Release -DCORA_BUILD_TESTS=OFF
./build/cli/cora-migrate --local migrate
./build/cli/cora-migrate --local status
./build/cli/cora-migrate --local verify
