#!/usr/bin/env bash
# Benchmark: `cora-migrate lint` checking a generated backend of 100 Python files holding 1,000
# data API call sites (rpc, find_one, insert_one, update_one over several lines, a wrapper) against
# 50 tables and 50 functions of the migration files, offline. Prints the calls found and the
# median of 5 runs, and the same lint without the backend (`[app] paths` naming nothing) for the
# share of the migration files. Goal: under 1 s. No database.
# Usage: bench/app-calls.sh   (CORA_MIGRATE=path/to/cora-migrate to pick the binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CORA_MIGRATE:-"$root/build/cli/cora-migrate"}
[[ -x "$bin" ]] || { echo "app-calls.sh: no binary at $bin; build first or set CORA_MIGRATE" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p migrations backend/layers/common backend/lambdas

{
  for ((t = 0; t < 50; t++)); do
    echo "CREATE TABLE public.items_$t (id uuid PRIMARY KEY, org_id uuid, name text, status text, updated_at timestamptz);"
    echo "CREATE FUNCTION public.get_items_$t(p_org_id uuid, p_status text DEFAULT NULL) RETURNS SETOF public.items_$t"
    echo "LANGUAGE sql STABLE AS \$\$ SELECT * FROM public.items_$t WHERE org_id = p_org_id \$\$;"
  done
} > migrations/001-items.sql

cat > backend/layers/common/wrappers.py <<'PY'
from .db import rpc


def call_rpc(function_name, params):
    return rpc(function_name, params)
PY

# 99 lambda files of 10 calls each, and the wrapper file's own: 1,000 call sites with the wrapper.
for ((f = 0; f < 99; f++)); do
  t=$((f % 50))
  {
    echo "import common"
    echo "from common.wrappers import call_rpc"
    echo
    echo "def handler_$f(org_id, item_id, name):"
    echo "    params = {'p_org_id': org_id}"
    echo "    params['p_status'] = 'open'"
    for ((c = 0; c < 2; c++)); do
      echo "    common.rpc("
      echo "        'get_items_$t',"
      echo "        params,"
      echo "    )"
      echo "    common.find_one('items_$t', {'id': item_id, 'org_id': org_id})"
      echo "    common.insert_one("
      echo "        table='items_$t',"
      echo "        data={'id': item_id, 'org_id': org_id, 'name': name},"
      echo "    )"
      echo "    common.update_one('items_$t', {'id': item_id}, {'status': 'done', 'updated_at': 'now()'})"
      echo "    call_rpc('get_items_$t', {'p_org_id': org_id})"
    done
  } > "backend/lambdas/handler_$f.py"
done
{
  echo "import common"
  echo "def extra(org_id):"
  for ((c = 0; c < 10; c++)); do echo "    common.find_many('items_$c', {'org_id': org_id})"; done
} > backend/lambdas/extra.py

# Median of 5 runs: wall time, and CPU time (user + system, the python3 child included), which
# is what a machine shared with other work still measures fairly.
median_ms() {
  local walls=() cpus=() line real user sys
  for _ in 1 2 3 4 5; do
    line=$( { TIMEFORMAT='%R %U %S'; time "$bin" "$@" lint --format json >/dev/null 2>&1 || true; } 2>&1 )
    read -r real user sys <<< "$line"
    walls+=($(python3 -c "print(round($real * 1000))"))
    cpus+=($(python3 -c "print(round(($user + $sys) * 1000))"))
  done
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 3p) $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 3p)"
}

summary=$("$bin" lint --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); a=d["app"]; print(a["files"], a["calls"], a["not_checked"], len(d["findings"]))')
read -r files calls not_checked findings <<< "$summary"
read -r with_wall with_cpu <<< "$(median_ms)"
printf '[app]\npaths = ["nothing-here"]\n' > none.toml
read -r without_wall without_cpu <<< "$(median_ms --config none.toml)"
printf '%-13s %-6s %-12s %-9s %-16s %-16s %s\n' "python files" calls "not checked" findings "wall ms (median)" "cpu ms (median)" "without the backend: wall, cpu ms"
printf '%-13s %-6s %-12s %-9s %-16s %-16s %s\n' "$files" "$calls" "$not_checked" "$findings" "$with_wall" "$with_cpu" "$without_wall, $without_cpu"
