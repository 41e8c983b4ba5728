#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and UBSan in their own
# build folder, and runs each for SECONDS (default 20), as many at once as there are cores,
# starting from its seed corpus tests/fuzz/corpus/<target>/. Inputs that find new coverage are
# kept in BUILD_DIR/corpus/<target>/ (the seeds in git are only read); a crash is saved as
# BUILD_DIR/crashes/<target>-crash-... and fails the script.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (BUILD_DIR: $CORA_FUZZ_BUILD_DIR or build-fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
shift || true
build_dir=${CORA_FUZZ_BUILD_DIR:-"$root/build-fuzz"}
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(fuzz_migration_file_name fuzz_config fuzz_checks fuzz_text_position fuzz_prepare_migration fuzz_lint fuzz_machine_text)
fi
for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool is not installed (scripts/install-deps.sh --test installs it)" >&2; exit 1; }
done

echo "== fuzz: build (clang, libFuzzer, ASan+UBSan) in $build_dir"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORA_FUZZ=ON -DCORA_BUILD_TESTS=OFF >/dev/null
ninja -C "$build_dir" "${targets[@]}"

echo "== fuzz: ${#targets[@]} target(s), ${seconds}s each"
mkdir -p "$build_dir/crashes" "$build_dir/logs"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_target() {
  local target=$1
  mkdir -p "$build_dir/corpus/$target"
  "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$build_dir/crashes/$target-" \
    "$build_dir/corpus/$target" "$root/tests/fuzz/corpus/$target" >"$build_dir/logs/$target.log" 2>&1
}
jobs=$(nproc 2>/dev/null || echo 2)
declare -A pids=()
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_target "$target" &
  pids[$target]=$!
done
failed=()
for target in "${targets[@]}"; do
  if wait "${pids[$target]}"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build_dir/logs/$target.log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$build_dir/logs/$target.log" | tail -1 || true)
    echo "fuzz: $target ok: $runs runs, ${cov:-cov: ?} (log: $build_dir/logs/$target.log)"
  else
    failed+=("$target")
    echo "fuzz: $target FAILED; the end of its log ($build_dir/logs/$target.log):" >&2
    tail -n 40 "$build_dir/logs/$target.log" >&2
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: failed: ${failed[*]}; reproduce with $build_dir/tests/fuzz/TARGET $build_dir/crashes/TARGET-crash-..." >&2
  exit 1
fi
