#!/usr/bin/env bash
# Benchmark: `cora-migrate verify` with 10, 100 and 1,000 generated checks against the
# module-access schema, printing the queries it sent and its time. The number of queries must
# not grow with the number of checks. Uses a throwaway embedded cluster in a temp folder.
# Usage: bench/verify.sh   (CORA_MIGRATE=path/to/cora-migrate to pick the binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CORA_MIGRATE:-"$root/build/cli/cora-migrate"}
[[ -x "$bin" ]] || { echo "verify.sh: no binary at $bin; build first or set CORA_MIGRATE" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "verify.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
cleanup() { (cd "$work" && "$bin" local stop >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
printf '[local]\ndata_dir = "pg"\n' > cora-migrate.toml
"$bin" --migrations "$root/migrations" migrate >/dev/null 2>&1

# Checks that all pass: tables, indexes, policies and functions of the schema, repeated.
make_checks() {
  local n=$1 dir=$2 i
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do
    case $((i % 4)) in
      0) printf '[[table]]\nname = "public.user_sessions"\nrls = true\ncolumns = [{ name = "ended_at", type = "timestamptz", nullable = true }]\n' ;;
      1) printf '[[index]]\nname = "public.idx_user_sessions_active"\ncolumns = ["user_id", "last_activity_at"]\n' ;;
      2) printf '[[policy]]\ntable = "public.user_sessions"\nname = "user_sessions_service_role"\nroles = ["service_role"]\n' ;;
      3) printf '[[function]]\nname = "public.log_auth_event"\nsecurity_definer = true\nreferences = ["public.user_auth_log"]\nmust_not_reference = ["public.auth_event_log"]\n' ;;
    esac
  done > "$dir/generated.toml"
}

printf '%-8s %-8s %-10s %s\n' checks queries "mean ms" "(hyperfine, 10 runs)"
for n in 10 100 1000; do
  make_checks "$n" "checks-$n"
  queries=$("$bin" --checks "checks-$n" verify --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["queries"])')
  hyperfine -N --warmup 2 --runs 10 --export-json "h-$n.json" "$bin --checks checks-$n verify --format json" >/dev/null
  mean=$(python3 -c "import json; print(round(json.load(open('h-$n.json'))['results'][0]['mean'] * 1000, 1))")
  printf '%-8s %-8s %-10s\n' "$n" "$queries" "$mean"
done
