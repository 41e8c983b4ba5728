#!/usr/bin/env bash
# Benchmark: `cora-migrate diff` of the module-access schema (migrations/) against a migrated
# database on the embedded cluster, cold (the template database of the files is built from
# scratch each run) and warm (the template is reused). Prints medians; no thresholds, fails only
# when diff does not report "no drift". Goals: cold under 1 s, warm under 300 ms.
# Usage: bench/diff.sh [RUNS]   (CORA_MIGRATE=path/to/cora-migrate to pick the binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CORA_MIGRATE:-"$root/build/cli/cora-migrate"}
runs=${1:-7}
[[ -x "$bin" ]] || { echo "diff.sh: no binary at $bin; build first or set CORA_MIGRATE" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
cleanup() { (cd "$work" && "$bin" local stop >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
printf '[local]\ndata_dir = "pg"\n' > cora-migrate.toml
unset CORA_DATABASE_URL DATABASE_URL
"$bin" --migrations "$root/migrations" migrate >/dev/null 2>&1
conninfo=$("$bin" local status | sed -n 's/.*psql "\(.*\)"$/\1/p')

BIN="$bin" MIGRATIONS="$root/migrations" CONNINFO="$conninfo" RUNS="$runs" python3 - <<'PY'
import json, os, statistics, subprocess, time

bin, migrations, conninfo, runs = os.environ["BIN"], os.environ["MIGRATIONS"], os.environ["CONNINFO"], int(os.environ["RUNS"])
diff = [bin, "--migrations", migrations, "diff", "--format", "json"]

def drop_templates():
    names = subprocess.run(["psql", "-XAtq", conninfo, "-c",
                            "SELECT datname FROM pg_database WHERE datname LIKE 'cora\\_expected\\_%'"],
                           check=True, capture_output=True, text=True).stdout.split()
    for name in names:
        subprocess.run(["psql", "-Xq", conninfo, "-c", f"DROP DATABASE {name} WITH (FORCE)"], check=True)

def timed():
    start = time.perf_counter()
    r = subprocess.run(diff, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    if r.returncode != 0:
        raise SystemExit(f"diff.sh: diff exited {r.returncode}: {r.stderr}{r.stdout[:2000]}")
    return elapsed, json.loads(r.stdout)

cold, warm, build = [], [], []
for _ in range(runs):
    drop_templates()
    ms, report = timed()
    cold.append(ms)
    build.append(report["expected_schema"]["build_ms"])
    assert not report["expected_schema"]["reused"]
    ms, report = timed()
    warm.append(ms)
    assert report["expected_schema"]["reused"]
queries = report["queries"]
print(f"{'case':<32} {'median ms':>10} {'min':>8} {'max':>8}   goal")
print(f"{'diff, cold (template built)':<32} {statistics.median(cold):>10.0f} {min(cold):>8.0f} {max(cold):>8.0f}   under 1000")
print(f"{'  of which: building template':<32} {statistics.median(build):>10.0f} {min(build):>8.0f} {max(build):>8.0f}")
print(f"{'diff, warm (template reused)':<32} {statistics.median(warm):>10.0f} {min(warm):>8.0f} {max(warm):>8.0f}   under 300")
print(f"queries to the database per diff: {queries}; {runs} runs each")
PY
