#!/usr/bin/env bash
# Large migrations: prepare + lint time next to apply time (cora-migrate and psql), and peak
# RSS, for one file of 10k/40k/160k INSERTs, a 50 MB file, 2M notices and a 5M-row SELECT; then
# the peak RSS of the cora-migrate process itself per MB of input for files of 5, 20 and 50 MB,
# next to psql's. Prints numbers, judges nothing. See bench/README.md.
#
#   bench/large.sh            all cases
#   SIZES="10000" MEGABYTES=0 NOTICES=0 ROWS=0 MEMORY_SIZES=0 bench/large.sh   a quick subset
#   SIZES="" MEGABYTES=0 NOTICES=0 ROWS=0 bench/large.sh                       memory per MB only
set -euo pipefail

SIZES="${SIZES-10000 40000 160000}"
MEGABYTES="${MEGABYTES:-50}"
NOTICES="${NOTICES:-2000000}"
ROWS="${ROWS:-5000000}"
MEMORY_SIZES="${MEMORY_SIZES:-5 20 50}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORA="${CORA_MIGRATE:-$HERE/../build/cli/cora-migrate}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
LIB="$HERE/large.py"

fail() { echo "bench: error: $*" >&2; exit 1; }
[[ -x "$CORA" ]] || fail "no cora-migrate binary at $CORA (build it, or set CORA_MIGRATE=/path/to/cora-migrate)"
CORA="$(cd "$(dirname "$CORA")" && pwd)/$(basename "$CORA")"
for b in initdb pg_ctl psql; do
  [[ -x "$PG_BIN/$b" ]] || fail "no $PG_BIN/$b (install PostgreSQL 15 server binaries, or set PG_BIN)"
done
PSQL="$PG_BIN/psql"

# ------------------------------------------------------------ throwaway cluster (as bench/run.sh)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cora-bench-large.XXXXXX")"
chmod 755 "$WORK"
DATA="$WORK/pgdata"; SOCK="$WORK/sock"; mkdir -p "$DATA" "$SOCK"
if [[ "$(id -u)" == 0 ]]; then
  id postgres >/dev/null 2>&1 || fail "running as root, but there is no 'postgres' user to own the cluster"
  chown postgres "$DATA" "$SOCK"; AS_PG=(runuser -u postgres --)
else
  AS_PG=()
fi
STARTED=0
cleanup() {
  local rc=$?
  [[ "$STARTED" == 1 ]] && { ${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true; }
  rm -rf "$WORK"; exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT="$(python3 "$HERE/benchlib.py" freeport)"
${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; fail "initdb failed"; }
STARTED=1
${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$SOCK'" start >/dev/null \
  || { cat "$DATA/server.log" >&2 || true; fail "PostgreSQL did not start"; }
admin() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres "$@"; }
recreate() { admin -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" -c CHECKPOINT; }
URL() { echo "postgresql://postgres@127.0.0.1:$PORT/$1"; }
cd "$WORK"
unset CORA_DATABASE_URL DATABASE_URL PGSERVICE PGOPTIONS || true

field() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['$2'], 2))" "$1"; }
check() { [[ "$(field "$1" exit)" == 0 ]] || fail "$2 exited $(field "$1" exit)"; }

echo "cora-migrate large-migration benchmark: $("$CORA" --version 2>&1 | head -n1), PostgreSQL $(admin -At -c 'SHOW server_version'), $(nproc) CPUs"
echo "  lint    = cora-migrate lint (prepare + lint, no database)"
echo "  migrate = cora-migrate migrate on a fresh database (prepare + lint + apply, one transaction)"
echo "  psql    = psql -1 -f FILE on a fresh database (apply only)"
printf '%-22s %9s %9s %9s %9s %10s %12s\n' case "lint s" "migrate s" "psql s" "lint/psql" "lint MB" "migrate MB"

run_case() {  # label kind count
  local dir="$WORK/case-$2-$3"
  python3 "$LIB" gen "$dir" "$2" "$3"
  local lint migrate psql
  lint="$(python3 "$LIB" measure "$CORA" --migrations "$dir" lint)"; check "$lint" "lint ($1)"
  recreate db_cora
  migrate="$(python3 "$LIB" measure "$CORA" --database-url "$(URL db_cora)" --migrations "$dir" migrate)"
  check "$migrate" "migrate ($1)"
  recreate db_psql
  psql="$(python3 "$LIB" measure "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d db_psql -1 -f "$dir/0001_large.sql")"
  check "$psql" "psql ($1)"
  local ratio
  ratio="$(python3 -c "import json,sys; l,p=(json.loads(a)['seconds'] for a in sys.argv[1:]); print(f'{l/max(p,1e-9):.2f}x')" "$lint" "$psql")"
  printf '%-22s %9s %9s %9s %9s %10s %12s\n' "$1" "$(field "$lint" seconds)" "$(field "$migrate" seconds)" \
    "$(field "$psql" seconds)" "$ratio" "$(field "$lint" max_rss_mb)" "$(field "$migrate" max_rss_mb)"
  rm -rf "$dir"
}

for n in $SIZES; do run_case "$n INSERTs" inserts "$n"; done
(( MEGABYTES > 0 )) && run_case "$MEGABYTES MB of INSERTs" megabytes "$MEGABYTES"
(( NOTICES > 0 )) && run_case "$NOTICES NOTICEs" notices "$NOTICES"
(( ROWS > 0 )) && run_case "$ROWS-row SELECT" rows "$ROWS"
echo "lint/psql: lint time over psql's time to apply the same file; the goal is under 2x."

# ------------------------------------------------------------ peak memory per MB of input
# The peak RSS of each process itself (GNU time's %M, see large.py), over the file's size. A
# parse of the whole file at once needed ~31 MB per MB; statement by statement, it is the file
# (read once, kept for the checksum and the statements' text) and a bounded chunk.
memory_case() {  # megabytes
  local dir="$WORK/memory-$1"
  python3 "$LIB" gen "$dir" megabytes "$1"
  local bytes lint migrate psql
  bytes="$(stat -c %s "$dir/0001_large.sql")"
  lint="$(python3 "$LIB" measure "$CORA" --migrations "$dir" lint)"; check "$lint" "lint ($1 MB)"
  recreate db_cora
  migrate="$(python3 "$LIB" measure "$CORA" --database-url "$(URL db_cora)" --migrations "$dir" migrate)"
  check "$migrate" "migrate ($1 MB)"
  recreate db_psql
  psql="$(python3 "$LIB" measure "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d db_psql -1 -f "$dir/0001_large.sql")"
  check "$psql" "psql ($1 MB)"
  python3 - "$bytes" "$lint" "$migrate" "$psql" <<'PY'
import json, sys
mb = int(sys.argv[1]) / (1024 * 1024)
lint, migrate, psql = (json.loads(a)["max_rss_mb"] for a in sys.argv[2:])
print(f"{mb:8.1f} {lint:9.0f} {lint / mb:8.2f} {migrate:11.0f} {migrate / mb:11.2f} {psql:8.0f} {psql / mb:8.2f}")
PY
  rm -rf "$dir"
}

if [[ "$MEMORY_SIZES" != 0 ]]; then
  echo
  echo "peak RSS (MB) of the process itself, and per MB of input; the goal is under 3 per MB, flat as the file grows"
  printf '%8s %9s %8s %11s %11s %8s %8s\n' "file MB" "lint" "lint/MB" "migrate" "migrate/MB" "psql" "psql/MB"
  for mb in $MEMORY_SIZES; do memory_case "$mb"; done
fi
