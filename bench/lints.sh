#!/usr/bin/env bash
# Benchmark: `cora-migrate verify` (every built-in lint and the policy-recursion probe, no
# checks) on the module-access schema plus 10, 100 and 1,000 generated RLS tables, each with a
# foreign key and two policies, printing the queries it sent and its time. The number of
# queries must not grow with the number of tables. Uses a throwaway embedded cluster.
# Usage: bench/lints.sh   (CORA_MIGRATE=path/to/cora-migrate to pick the binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CORA_MIGRATE:-"$root/build/cli/cora-migrate"}
[[ -x "$bin" ]] || { echo "lints.sh: no binary at $bin; build first or set CORA_MIGRATE" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
cleanup() { (cd "$work" && "$bin" local stop >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
printf '[local]\ndata_dir = "pg"\n' > cora-migrate.toml
"$bin" --migrations "$root/migrations" migrate >/dev/null 2>&1
socket=$("$bin" local status | sed -n 's/.*psql "\(.*\)"/\1/p')

# Tables bench_1 .. bench_N on top of those already there, in one transaction.
add_tables() {
  local from=$1 to=$2 i
  {
    echo "BEGIN;"
    for ((i = from; i <= to; i++)); do
      echo "CREATE TABLE public.bench_$i (id int PRIMARY KEY, org_id uuid REFERENCES public.orgs (id), owner uuid);"
      echo "CREATE INDEX ON public.bench_$i (org_id);"
      echo "ALTER TABLE public.bench_$i ENABLE ROW LEVEL SECURITY;"
      echo "CREATE POLICY bench_${i}_read ON public.bench_$i FOR SELECT TO authenticated USING (owner = (SELECT auth.uid()) OR public.is_org_member(org_id));"
      echo "CREATE POLICY bench_${i}_write ON public.bench_$i FOR INSERT TO authenticated WITH CHECK (owner = (SELECT auth.uid()));"
    done
    echo "COMMIT;"
  } | /usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d "$socket" >/dev/null
}

printf '%-8s %-8s %-10s %s\n' tables queries "median ms" "(of 5 runs)"
have=0
for n in 10 100 1000; do
  add_tables $((have + 1)) "$n"
  have=$n
  queries=$("$bin" --checks none verify --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["queries"])')
  times=()
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$bin" --checks none verify --format json >/dev/null
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  printf '%-8s %-8s %-10s\n' "$n" "$queries" "$median"
done
