#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors and run every
# test, then do it again under AddressSanitizer and UndefinedBehaviorSanitizer. Each test run
# starts its own throwaway PostgreSQL 15 and removes it afterwards. Both builds are unity builds
# (CMAKE_UNITY_BUILD: about 2.4 times less CPU from clean, CONTRIBUTING.md, "Build time");
# CORA_UNITY=0 builds one file at a time instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh --test
unity=-DCMAKE_UNITY_BUILD=ON
[[ "${CORA_UNITY:-1}" == 0 ]] && unity=-DCMAKE_UNITY_BUILD=OFF

echo "== build (warnings are errors)"
bash scripts/build.sh "$root/build-ci" -DCMAKE_BUILD_TYPE=Debug -DCORA_WARNINGS_AS_ERRORS=ON "$unity"
echo "== tests"
(cd "$root/build-ci" && ctest --output-on-failure -j2)

echo "== build with AddressSanitizer + UndefinedBehaviorSanitizer"
bash scripts/build.sh "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DCORA_WARNINGS_AS_ERRORS=ON -DCORA_SANITIZE=ON "$unity"
echo "== tests under the sanitizers"
(cd "$root/build-asan" && ctest --output-on-failure -j2)

echo "== fuzzing: a short run of each libFuzzer target (longer: CONTRIBUTING.md, Fuzzing)"
bash scripts/fuzz.sh "${CORA_FUZZ_SECONDS:-20}"
