#!/usr/bin/env python3
"""Large migrations: generates them and times one command with its peak RSS (bench/large.sh)."""
import json
import os
import subprocess
import sys
import tempfile
import time


def gen(folder, kind, count):
    """One migration file in `folder`: `count` INSERTs, `count` MB of INSERTs, many notices or rows."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "0001_large.sql")
    with open(path, "w") as out:
        if kind == "inserts":
            out.write("CREATE TABLE bench_rows (id integer, payload text);\n")
            for i in range(count):
                out.write(f"INSERT INTO bench_rows VALUES ({i}, 'row {i}');\n")
        elif kind == "megabytes":
            out.write("CREATE TABLE bench_rows (id integer, payload text);\n")
            filler = "x" * 100
            i, size, limit = 0, 0, count * 1024 * 1024
            while size < limit:
                line = f"INSERT INTO bench_rows VALUES ({i}, '{filler}');\n"
                out.write(line)
                size += len(line)
                i += 1
        elif kind == "notices":
            out.write(f"DO $$ BEGIN FOR i IN 1..{count} LOOP RAISE NOTICE 'notice %', i; END LOOP; END $$;\n")
        elif kind == "rows":
            out.write(f"SELECT g, 'row ' || g FROM generate_series(1, {count}) g;\n")
        else:
            sys.exit(f"large.py: unknown kind {kind}")


def dbmate_folder(folder, out):
    """The same file in dbmate's format: under "-- migrate:up", in a transaction (as migrate runs it)."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(folder, "0001_large.sql"), encoding="utf-8") as f:
        body = f.read()
    with open(os.path.join(out, "00000000000001_large.sql"), "w", encoding="utf-8") as f:
        f.write("-- migrate:up\n" + body + "\n-- migrate:down\n")


GNU_TIME = "/usr/bin/time"


def measure(argv):
    """Runs argv; prints {"seconds", "cpu_seconds", "max_rss_mb", "exit"} as JSON. Output is discarded.

    The peak RSS is the tool's alone. A child of this Python process would not do: Linux keeps a
    process's peak RSS across exec, and a child forked from Python starts with Python's pages
    (about 14 MB, which made every small run read "15 MB"). GNU time forks the tool from its own
    small process and reports that child's peak (%M)."""
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"large.py: {GNU_TIME} (GNU time) is needed to read the tool's own peak RSS")
    # stderr goes to a file, not a pipe: psql writes every one of 2M NOTICEs there, and a pipe
    # nobody reads until the process exits would block it forever.
    with tempfile.TemporaryFile() as err_file, tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-f", "%M %U %S", "-o", report.name] + argv, stdout=subprocess.DEVNULL,
                                stderr=err_file)
        _, status, _ = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err_file.seek(max(0, os.fstat(err_file.fileno()).st_size - 2000))
            sys.stderr.write(err_file.read().decode(errors="replace"))
        # On failure GNU time writes "Command exited with non-zero status N" first.
        kb, user, system = report.read().split()[-3:]
    print(json.dumps({"seconds": seconds, "cpu_seconds": float(user) + float(system), "max_rss_mb": int(kb) / 1024.0,
                      "exit": code}))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "dbmate":
        dbmate_folder(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "measure":
        measure(sys.argv[2:])
    else:
        sys.exit("usage: large.py gen FOLDER KIND COUNT | dbmate FOLDER OUT | measure ARGV...")
