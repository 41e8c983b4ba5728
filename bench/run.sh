#!/usr/bin/env bash
# cora-migrate benchmark: prints numbers, judges nothing. See bench/README.md.
#
#   bench/run.sh [N]        N = number of one-line migrations (default 300)
#
# Environment:
#   CORA_MIGRATE   binary to measure (default: <repo>/build/cli/cora-migrate)
#   PG_BIN         PostgreSQL 15 server binaries (default: /usr/lib/postgresql/15/bin)
#   RUNS           timed runs of each apply/status case (default: 7)
#   VERSION_RUNS   timed runs of --version (default: 50)
#   STATUS_FILES   files on disk for the status measurement (default: 10000)
set -euo pipefail

N="${1:-300}"
RUNS="${RUNS:-7}"
VERSION_RUNS="${VERSION_RUNS:-50}"
STATUS_FILES="${STATUS_FILES:-10000}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORA="${CORA_MIGRATE:-$HERE/../build/cli/cora-migrate}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
LIB="$HERE/benchlib.py"

fail() { echo "bench: error: $*" >&2; exit 1; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive integer, got '$N'"
[[ -x "$CORA" ]] || fail "no cora-migrate binary at $CORA (build it, or set CORA_MIGRATE=/path/to/cora-migrate)"
CORA="$(cd "$(dirname "$CORA")" && pwd)/$(basename "$CORA")"
for b in initdb pg_ctl psql; do
  [[ -x "$PG_BIN/$b" ]] || fail "no $PG_BIN/$b (install PostgreSQL 15 server binaries, or set PG_BIN)"
done
command -v python3 >/dev/null || fail "python3 is needed"
PSQL="$PG_BIN/psql"

# ------------------------------------------------------------ throwaway cluster
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cora-bench.XXXXXX")"
chmod 755 "$WORK"
DATA="$WORK/pgdata"
SOCK="$WORK/sock"
mkdir -p "$DATA" "$SOCK"

# initdb refuses to run as root: then the cluster belongs to the `postgres` user.
if [[ "$(id -u)" == 0 ]]; then
  id postgres >/dev/null 2>&1 || fail "running as root, but there is no 'postgres' user to own the cluster"
  chown postgres "$DATA" "$SOCK"
  AS_PG=(runuser -u postgres --)
else
  AS_PG=()
fi

STARTED=0
cleanup() {
  local rc=$?
  if [[ "$STARTED" == 1 ]]; then
    ${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 "$LIB" freeport)"
${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; fail "initdb failed"; }
STARTED=1
${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$SOCK'" start >/dev/null \
  || { cat "$DATA/server.log" >&2 || true; fail "PostgreSQL did not start"; }

# Administrative psql (untimed): over the socket, as postgres.
admin() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres "$@"; }
# Fresh database: drop, create, and checkpoint so no background flush spills into a timed run.
recreate() { admin -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" -c CHECKPOINT; }

SERVER_VERSION="$(admin -At -c 'SHOW server_version')"
FSYNC="$(admin -At -c 'SHOW fsync')"
SYNC_COMMIT="$(admin -At -c 'SHOW synchronous_commit')"
TOOL_VERSION="$("$CORA" --version 2>&1 | head -n1)"

TCP_URL() { echo "postgresql://postgres@127.0.0.1:$PORT/$1"; }

# Run everything from an empty folder, so no cora-migrate.toml of the caller's is picked up.
cd "$WORK"
unset CORA_DATABASE_URL DATABASE_URL PGSERVICE PGOPTIONS || true

# ------------------------------------------------------------ files
WIDTH=4; (( ${#N} > WIDTH )) && WIDTH=${#N}
python3 "$LIB" gen "$WORK/mig" "$N" "$WIDTH"
python3 "$LIB" psql-script "$WORK/mig" "$WORK/apply.psql"
mkdir -p "$WORK/empty"; : >"$WORK/empty.psql"
SWIDTH=${#STATUS_FILES}; (( SWIDTH < 4 )) && SWIDTH=4
python3 "$LIB" gen "$WORK/many" "$STATUS_FILES" "$SWIDTH"

RESULTS="$WORK/results.json"
python3 "$LIB" record "$RESULTS" meta "{\"n\": $N}"

q() { printf '%q ' "$@"; }

echo "cora-migrate benchmark"
echo "  binary        $CORA ($TOOL_VERSION)"
echo "  PostgreSQL    $SERVER_VERSION on 127.0.0.1:$PORT (throwaway cluster; fsync=$FSYNC, synchronous_commit=$SYNC_COMMIT)"
echo "  machine       $(nproc) CPUs, $(uname -sr)"
echo "  migrations    $N files, each: $(cat "$WORK/mig/$(ls "$WORK/mig" | head -n1)")"
echo "  timing        wall clock of the whole process (spawn to exit), Python time.perf_counter; median of $RUNS runs"
echo

# ------------------------------------------------------------ 1. apply N files
echo "[1] apply $N migrations on a fresh database, one transaction per file (TCP to 127.0.0.1)"
CORA_APPLY="$(q "$CORA" --database-url "$(TCP_URL db_cora)" --migrations "$WORK/mig" migrate)"
PSQL_APPLY="$(q "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d db_psql -f "$WORK/apply.psql")"
ADMIN_CMD="$(q "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres)"
PREP_CORA="$ADMIN_CMD -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS db_cora' -c 'CREATE DATABASE db_cora' -c CHECKPOINT"
PREP_PSQL="$ADMIN_CMD -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS db_psql' -c 'CREATE DATABASE db_psql' -c CHECKPOINT"
python3 "$LIB" time --runs "$RUNS" --warmup 1 --results "$RESULTS" --key apply \
  --case "cora-migrate migrate" "$PREP_CORA" "$CORA_APPLY" \
  --case "psql (BEGIN/\\i/COMMIT)" "$PREP_PSQL" "$PSQL_APPLY"
applied="$(admin -d db_cora -At -c 'SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename LIKE $$t\_%$$')"
applied_psql="$(admin -d db_psql -At -c 'SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename LIKE $$t\_%$$')"
[[ "$applied" == "$N" && "$applied_psql" == "$N" ]] || fail "expected $N tables, cora-migrate made $applied, psql $applied_psql"
echo "  (checked: both databases hold $N new tables)"
echo "  fixed cost of a run, to get the marginal cost per migration:"
python3 "$LIB" time --runs "$RUNS" --warmup 1 --results "$RESULTS" --key apply_fixed \
  --case "cora-migrate migrate, 0 pending" "" "$CORA_APPLY" \
  --case "psql, empty script" "" "$(q "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d db_psql -f "$WORK/empty.psql")"
echo

# ------------------------------------------------------------ 2. round trips
echo "[2] round trips through a counting TCP proxy (turns: client sends after the server has answered)"
recreate db_rt_cora
recreate db_rt_psql
PROXY_URL="postgresql://postgres@127.0.0.1:{port}/%s?sslmode=disable&gssencmode=disable"
# shellcheck disable=SC2059
RT_CORA="$(printf "$PROXY_URL" db_rt_cora)"
# shellcheck disable=SC2059
RT_PSQL="$(printf "$PROXY_URL" db_rt_psql)"
python3 "$LIB" turns --target "127.0.0.1:$PORT" --name "cora: N pending" --results "$RESULTS" -- \
  "$CORA" --database-url "$RT_CORA" --migrations "$WORK/mig" migrate
python3 "$LIB" turns --target "127.0.0.1:$PORT" --name "cora: 0 pending" --results "$RESULTS" -- \
  "$CORA" --database-url "$RT_CORA" --migrations "$WORK/mig" migrate
python3 "$LIB" turns --target "127.0.0.1:$PORT" --name "psql: N files" --results "$RESULTS" -- \
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$RT_PSQL" -f "$WORK/apply.psql"
python3 "$LIB" turns --target "127.0.0.1:$PORT" --name "psql: 0 files" --results "$RESULTS" -- \
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$RT_PSQL" -f "$WORK/empty.psql"
echo "  (the N-pending run also creates the history table: 1 of its extra turns is that, not a migration)"
echo

# ------------------------------------------------------------ 3. status with many files
echo "[3] status with $STATUS_FILES files on disk (TCP), stdout to /dev/null"
echo "  history: db_cora holds the $N applied migrations (the same first $N files); db_empty has no history table"
recreate db_empty
summary="$("$CORA" --database-url "$(TCP_URL db_cora)" --migrations "$WORK/many" status --json \
  | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["applied"], s["pending"])')"
[[ "$summary" == "$N $((STATUS_FILES - N))" ]] || fail "status saw applied/pending = $summary, expected $N $((STATUS_FILES - N))"
echo "  (checked: status --json reports $N applied, $((STATUS_FILES - N)) pending)"
STATUS_BASE="$(q "$CORA" --database-url "$(TCP_URL db_cora)" --migrations "$WORK/many" status)"
STATUS_JSON="$(q "$CORA" --database-url "$(TCP_URL db_cora)" --migrations "$WORK/many" status --json)"
STATUS_EMPTY="$(q "$CORA" --database-url "$(TCP_URL db_empty)" --migrations "$WORK/many" status)"
python3 "$LIB" time --runs "$RUNS" --warmup 1 --results "$RESULTS" --key status \
  --case "status, $STATUS_FILES files, $N applied" "" "$STATUS_BASE" \
  --case "status --json, $STATUS_FILES files, $N applied" "" "$STATUS_JSON" \
  --case "status, $STATUS_FILES files, no history" "" "$STATUS_EMPTY"
echo

# ------------------------------------------------------------ 4. --version
echo "[4] cora-migrate --version"
python3 "$LIB" time --runs "$VERSION_RUNS" --warmup 5 --results "$RESULTS" --key version \
  --case "--version (Python loop)" "" "$(q "$CORA" --version)"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs "$VERSION_RUNS" --export-json "$WORK/hf.json" "$(q "$CORA" --version)" >/dev/null 2>&1 \
    || fail "hyperfine failed"
  python3 "$LIB" import-hyperfine "$RESULTS" version "--version (hyperfine -N)" "$WORK/hf.json"
fi
echo

# ------------------------------------------------------------ summary
echo "Summary (N=$N; targets are the project's, for reading, not pass/fail)"
python3 "$LIB" summary "$RESULTS"
