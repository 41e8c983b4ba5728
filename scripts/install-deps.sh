#!/usr/bin/env bash
# Installs what building, running and testing cora-migrate needs on Debian 12, skipping what is
# already there. Run as root (or with sudo).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  libpq-dev libcli11-dev libfmt-dev libtomlplusplus-dev doctest-dev
  libpg-query-dev libprotobuf-c-dev nlohmann-json3-dev libssl-dev libyaml-cpp-dev
  postgresql-15 postgresql-client-15 pgbouncer
  python3 hyperfine
  clang libclang-rt-14-dev  # scripts/fuzz.sh: clang++ and libFuzzer
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: everything is installed"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run as root (e.g. sudo bash scripts/install-deps.sh)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
