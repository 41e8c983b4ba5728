#!/usr/bin/env bash
# Installs what building and running cora-migrate needs on Debian 12, skipping what is already
# there; with --test, also what only the tests, benchmarks and fuzzing need. Run as root (or
# with sudo). Usage: install-deps.sh [--test]
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git help2man dpkg-dev  # help2man: the man page; dpkg-dev: cpack's .deb
  libpq-dev libcli11-dev libfmt-dev libtomlplusplus-dev
  libpg-query-dev libprotobuf-c-dev nlohmann-json3-dev libssl-dev libyaml-cpp-dev
  postgresql-15 postgresql-client-15  # the embedded database
  python3  # lint and verify read the backend's Python with Python's own parser ([app])
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(
    doctest-dev pgbouncer
    hyperfine openssl  # openssl: the TLS tests' and the benchmark's self-signed certificate
    clang libclang-rt-14-dev  # scripts/fuzz.sh: clang++ and libFuzzer
    clang-format  # scripts/check-format.sh (ctest format)
    lintian  # the install test checks the .deb with it
  )
elif [[ $# -gt 0 ]]; then
  echo "usage: install-deps.sh [--test]" >&2
  exit 2
fi

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
