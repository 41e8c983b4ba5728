#!/usr/bin/env bash
# Large migrations: prepare + lint time next to apply time (cora-migrate and psql), and peak
# RSS, for one file of 10k/40k/160k INSERTs, a 50 MB file, 2M notices and a 5M-row SELECT; then
# the peak RSS of the cora-migrate process itself per MB of input for files of 5, 20 and 50 MB,
# next to psql's; then 20,000 and 200,000 INSERTs and 50 MB next to dbmate (apply) and squawk
# (offline lint): wall, CPU and peak RSS, medians of RUNS. Prints numbers, judges nothing.
# See bench/README.md.
#
#   DBMATE=... SQUAWK=...     the peers' native binaries (default: bench/node_modules/@dbmate,
#                             @squawk-cli after `npm install dbmate squawk-cli` in bench/, or PATH)
#   SIZES="" MEGABYTES=0 NOTICES=0 ROWS=0 MEMORY_SIZES=0 bench/large.sh    the peers' table only
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
PEER_CASES="${PEER_CASES-inserts:20000 inserts:200000 megabytes:50}"
RUNS="${RUNS:-3}"
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
# The peers' own binaries, not npm's node wrappers (whose RSS would be measured instead):
# `npm install dbmate squawk-cli` puts them under node_modules/@dbmate and @squawk-cli.
native() {  # env-value package binary
  if [[ -n "$1" ]]; then echo "$1"; return; fi
  local c
  for c in "$HERE/node_modules/@$2/linux-x64/bin/$3" "$(command -v "$3" || true)"; do
    [[ -n "$c" && -x "$c" ]] && { echo "$c"; return; }
  done
}
DBMATE="$(native "${DBMATE:-}" dbmate dbmate)"
SQUAWK="$(native "${SQUAWK:-}" squawk-cli squawk)"

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

# ------------------------------------------------------------ big files next to dbmate and squawk
# Medians of RUNS runs, tools alternating. CPU = user + system time of the process itself.
peer_case() {  # kind count
  local dir="$WORK/peer-$1-$2" label
  [[ "$1" == megabytes ]] && label="$2 MB of INSERTs" || label="$2 INSERTs"
  python3 "$LIB" gen "$dir" "$1" "$2"
  [[ -n "$DBMATE" ]] && python3 "$LIB" dbmate "$dir" "$dir-dbmate"
  local results="$WORK/peer-results" i
  : >"$results"
  for ((i = 0; i < RUNS; i++)); do
    echo "lint $(python3 "$LIB" measure "$CORA" --migrations "$dir" lint)" >>"$results"
    [[ -n "$SQUAWK" ]] && echo "squawk $(python3 "$LIB" measure "$SQUAWK" "$dir/0001_large.sql")" >>"$results"
    recreate db_cora
    echo "migrate $(python3 "$LIB" measure "$CORA" --database-url "$(URL db_cora)" --migrations "$dir" migrate)" >>"$results"
    if [[ -n "$DBMATE" ]]; then
      recreate db_dbmate
      echo "dbmate $(python3 "$LIB" measure "$DBMATE" --url "$(URL db_dbmate)?sslmode=disable" --migrations-dir "$dir-dbmate" --no-dump-schema up)" >>"$results"
    fi
  done
  python3 - "$label" "$(stat -c %s "$dir/0001_large.sql")" "$results" <<'PY'
import json, statistics, sys
label, size, path = sys.argv[1], int(sys.argv[2]) / (1024 * 1024), sys.argv[3]
runs = {}
for line in open(path):
    tool, data = line.split(" ", 1)
    runs.setdefault(tool, []).append(json.loads(data))
def cell(tool):
    if tool not in runs:
        return f"{'-':>7} {'-':>7} {'-':>7} {'-':>6}"
    r = runs[tool]
    # squawk exits 1 when it reports a finding: its work is done all the same.
    if any(x["exit"] not in ((0, 1) if tool == "squawk" else (0,)) for x in r):
        return f"{'failed':>30}"
    med = lambda k: statistics.median(x[k] for x in r)
    return f"{med('seconds'):7.2f} {med('cpu_seconds'):7.2f} {med('max_rss_mb'):7.0f} {med('max_rss_mb') / size:6.2f}"
print(f"{label:22} {size:6.1f}  {cell('lint')}  {cell('squawk')}  {cell('migrate')}  {cell('dbmate')}")
PY
  rm -rf "$dir" "$dir-dbmate"
}

if [[ -n "$PEER_CASES" ]]; then
  echo
  echo "big files next to the peers (medians of $RUNS): wall s, CPU s (user+sys), peak RSS MB, RSS per MB of file"
  echo "  squawk: ${SQUAWK:-not installed: skipped (npm install squawk-cli, or set SQUAWK)}"
  echo "  dbmate: ${DBMATE:-not installed: skipped (npm install dbmate, or set DBMATE)}"
  printf '%-22s %6s  %-30s  %-30s  %-30s  %-30s\n' case "MB" "cora-migrate lint" "squawk" "cora-migrate migrate" "dbmate up"
  for c in $PEER_CASES; do peer_case "${c%%:*}" "${c##*:}"; done
fi
