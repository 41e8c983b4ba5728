#!/usr/bin/env bash
# Fails when a tracked *.cpp/*.hpp under cli/ or tests/ is not formatted as .clang-format says,
# and names each such file; `clang-format -i FILE` fixes one. Exit 77 (ctest: skipped) when
# clang-format is not installed (scripts/install-deps.sh --test installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null; then
  echo "check-format: $clang_format is not installed; skipped" >&2
  exit 77
fi
differ=()
while IFS= read -r file; do
  "$clang_format" --dry-run --Werror "$file" >/dev/null 2>&1 || differ+=("$file")
done < <(git ls-files 'cli/*.cpp' 'cli/*.hpp' 'tests/*.cpp' 'tests/*.hpp')
if ((${#differ[@]} > 0)); then
  printf 'check-format: not formatted as .clang-format says (clang-format -i FILE):\n' >&2
  printf '  %s\n' "${differ[@]}" >&2
  exit 1
fi
echo "check-format: every file is formatted"
