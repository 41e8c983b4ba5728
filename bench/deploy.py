#!/usr/bin/env python3
"""Many small files and the everyday deploy, at no distance, on the server's own sockets (no
proxy in the way): cora-migrate against psql and against the floor, all files sent as one
query. Prints numbers, judges nothing. Python 3 standard library only.

  bench/deploy.py                      RUNS=7, N = 300 and 3000
  RUNS=3 SIZES=300 bench/deploy.py

Each figure is the median of RUNS runs; the tools alternate run by run, so that a machine
getting slower or faster weighs on each alike. Per run: wall time and CPU time (user + system)
of the process (os.wait4), and once per case the peak RSS of the tool alone (GNU time's %M:
a child of a small process, so none of Python's own memory counts). Round trips: cora-migrate's
own count (`migrate --format json`, "queries", after connecting) and, for every tool, the turns
a counting proxy sees (latency.py's DelayProxy at D = 0, connection and Terminate included).
Also the 300 files at D = 50 ms through that proxy, cora-migrate against the floor.

Environment: CORA_MIGRATE (default <repo>/build/cli/cora-migrate), PG_BIN (default
/usr/lib/postgresql/15/bin), RUNS, SIZES (comma-separated, default 300,3000), DELAY_MS (default
50; 0 skips it). See bench/README.md.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from latency import DelayProxy  # noqa: E402  (the counting proxy, shared)

GNU_TIME = "/usr/bin/time"


def die(message):
    print(f"deploy: error: {message}", file=sys.stderr)
    sys.exit(1)


def run(argv, label, env=None, cwd=None, stdin=None):
    p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    if p.returncode != 0:
        sys.stderr.write(p.stdout.decode(errors="replace")[-2000:] + p.stderr.decode(errors="replace")[-2000:])
        die(f"{label}: exit code {p.returncode}")
    return p.stdout.decode(errors="replace")


def timed(argv, env, cwd):
    """Wall seconds and CPU seconds (user + system) of one run; output discarded."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(err[-2000:])
        die(f"failed: {argv[0]} {' '.join(argv[1:4])} ...")
    return wall, usage.ru_utime + usage.ru_stime


def peak_rss_mb(argv, env, cwd):
    """Peak RSS of the tool alone: GNU time forks it from its own small process."""
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=True)
        return int(out.read().strip().splitlines()[-1]) / 1024.0


class Server:
    """A throwaway PostgreSQL 15 on 127.0.0.1 and a Unix socket; fsync off, the same for every tool."""

    def __init__(self, pg_bin, work):
        self.pg_bin, self.work = pg_bin, work
        self.data = os.path.join(work, "data")
        self.port = 55000 + os.getpid() % 5000
        as_postgres = os.geteuid() == 0
        os.makedirs(work)
        if as_postgres:
            shutil.chown(work, "postgres")

        def cmd(argv):
            if as_postgres:
                return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
            return argv

        # As cora-migrate's embedded cluster: the superuser is supabase_admin, and the Supabase
        # compatibility layer in template1 makes `postgres`, the role every tool runs as.
        run(cmd([f"{pg_bin}/initdb", "-D", self.data, "-U", "supabase_admin", "-A", "trust"]), "initdb")
        opts = f"-p {self.port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=20 -c max_locks_per_transaction=1024"
        run(cmd([f"{pg_bin}/pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(work, "server.log"), "-w",
                 "start"]), "pg_ctl start")
        self.cmd = cmd

    def stop(self):
        subprocess.run(self.cmd([f"{self.pg_bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self, db, how):
        if how == "tcp":
            return f"postgresql://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable&gssencmode=disable"
        return f"postgresql://postgres@/{db}?host={self.work}&port={self.port}"

    def socket(self):
        return os.path.join(self.work, f".s.PGSQL.{self.port}")


class Deploys:
    def __init__(self):
        self.cora = os.path.abspath(os.environ.get("CORA_MIGRATE", os.path.join(ROOT, "build", "cli", "cora-migrate")))
        pg_bin = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
        self.psql = os.path.join(pg_bin, "psql")
        self.runs = int(os.environ.get("RUNS", "7"))
        self.sizes = [int(n) for n in os.environ.get("SIZES", "300,3000").split(",")]
        self.delay = int(os.environ.get("DELAY_MS", "50"))
        for path in (self.cora, self.psql, GNU_TIME):
            if not os.access(path, os.X_OK):
                die(f"not found: {path}")
        self.work = tempfile.mkdtemp(prefix="cora-deploy.")
        os.chmod(self.work, 0o755)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("CORA_DATABASE_URL", "DATABASE_URL", "PGSERVICE", "PGOPTIONS")}
        self.server = Server(pg_bin, os.path.join(self.work, "pg"))
        self.counter = 0
        self.rows = []

    def admin(self, sql, db="postgres"):
        # As `postgres` (CREATEDB), so that it owns the databases the tools migrate.
        return run([self.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.server.url(db, "unix"), "-f", "-"],
                   "admin", env=self.env, stdin=sql.encode())

    def new_database(self, template="template1"):
        self.counter += 1
        name = f"d{self.counter}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template};")
        return name

    def folder(self, name, files):
        path = os.path.join(self.work, name)
        os.makedirs(path)
        for file_name, sql in files:
            with open(os.path.join(path, file_name), "w", encoding="utf-8") as f:
                f.write(sql)
        return path

    def tiny(self, n):
        return self.folder(f"tiny{n}", [(f"{v:05d}-step.sql", f"CREATE TABLE t_{v:05d} (id int primary key);\n")
                                        for v in range(1, n + 1)])

    def psql_script(self, folder, names=None):
        """psql, one transaction per file, one process: BEGIN; \\i file; COMMIT;"""
        script = os.path.join(self.work, os.path.basename(folder) + f"-{self.counter}.psql")
        names = names or sorted(n for n in os.listdir(folder) if n.endswith(".sql"))
        with open(script, "w", encoding="utf-8") as f:
            for name in names:
                f.write(f"BEGIN;\n\\i '{os.path.join(folder, name)}'\nCOMMIT;\n")
        return script

    def floor_query(self, folder, names=None):
        """Every file's SQL as one query (one Query message, one implicit transaction)."""
        names = names or sorted(n for n in os.listdir(folder) if n.endswith(".sql"))
        text = ""
        for name in names:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text += f.read()
        path = os.path.join(self.work, f"floor-{self.counter}.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return text

    def cora_queries(self, argv):
        doc = json.loads(run(argv + ["--format", "json"], "cora-migrate --format json", env=self.env, cwd=self.work))
        return doc["queries"]

    def compare(self, title, tools, prepare_db):
        """tools: [(name, argv(db))]; prepare_db() gives each run its own database."""
        samples = {name: [] for name, _ in tools}
        for _ in range(self.runs):
            for name, argv in tools:
                db = prepare_db()
                samples[name].append(timed(argv(db), self.env, self.work))
        rss = {name: peak_rss_mb(argv(prepare_db()), self.env, self.work) for name, argv in tools}
        turns = {}
        proxy = DelayProxy(self.server.socket(), 0)
        for name, argv in tools:
            db = prepare_db()
            proxy.reset()
            # Through the proxy (TCP) whichever socket the case uses: the same messages either way.
            direct = (self.server.url(db, "tcp"), self.server.url(db, "unix"))
            timed([proxy_url(proxy, db) if a in direct else a for a in argv(db)], self.env, self.work)
            time.sleep(0.1)
            with proxy.lock:
                turns[name] = proxy.turns
        floor = statistics.median(w for w, _ in samples[tools[-1][0]])
        psql = statistics.median(w for w, _ in samples["psql"]) if "psql" in samples else None
        print(f"{title}")
        for name, _ in tools:
            wall = statistics.median(w for w, _ in samples[name])
            cpu = statistics.median(c for _, c in samples[name])
            vs = f"{wall / psql:5.2f}x psql  {wall / floor:5.2f}x floor" if psql else f"{wall / floor:5.2f}x floor"
            print(f"  {name:<14} {wall:7.3f} s wall  {cpu:7.3f} s CPU  {rss[name]:6.1f} MB  {turns[name]:6d} round trips  {vs}")
            self.rows.append((title, name, wall, cpu, rss[name], turns[name]))

    def tiny_case(self, n, how):
        folder = self.tiny(n) if not os.path.isdir(os.path.join(self.work, f"tiny{n}")) else os.path.join(self.work, f"tiny{n}")
        script = self.psql_script(folder)
        query = self.floor_query(folder)
        url = self.server.url
        tools = [("cora-migrate", lambda db: [self.cora, "--database-url", url(db, how), "--migrations", folder, "migrate"]),
                 ("psql", lambda db: [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(db, how), "-f", script]),
                 ("floor", lambda db: [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(db, how), "-c", query])]
        self.compare(f"{n} one-statement files, fresh database, {how}", tools, self.new_database)
        db = self.new_database()
        queries = self.cora_queries([self.cora, "--database-url", url(db, how), "--migrations", folder, "migrate"])
        print(f"  cora-migrate's own count: {queries} round trips after connecting (history read, set-up, one pipeline)")

    def deploy_case(self, title, base_files, new_files, template="template1"):
        """`new_files` onto a database where `base_files` are applied (cloned from a template per run)."""
        self.counter += 1
        key = f"deploy{self.counter}"
        folder = self.folder(key, base_files + new_files)
        base_db = self.new_database(template)
        base_only = self.folder(key + "-base", base_files)
        run([self.cora, "--database-url", self.server.url(base_db, "tcp"), "--migrations", base_only, "migrate"],
            "set-up", env=self.env, cwd=self.work)
        names = [name for name, _ in new_files]
        script = self.psql_script(folder, names)
        query = self.floor_query(folder, names)
        url = self.server.url
        tools = [("cora-migrate", lambda db: [self.cora, "--database-url", url(db, "tcp"), "--migrations", folder, "migrate"]),
                 ("psql", lambda db: [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(db, "tcp"), "-f", script]),
                 ("floor", lambda db: [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(db, "tcp"), "-c", query])]
        self.compare(title, tools, lambda: self.new_database(base_db))
        queries = self.cora_queries([self.cora, "--database-url", url(self.new_database(base_db), "tcp"), "--migrations",
                                     folder, "migrate"])
        print(f"  cora-migrate's own count: {queries} round trips after connecting, {queries + 1} with the connection")

    def at_distance(self, n):
        folder = os.path.join(self.work, f"tiny{n}")
        proxy = DelayProxy(self.server.socket(), self.delay)
        query = self.floor_query(folder)
        samples = {"cora-migrate": [], "floor": []}
        for _ in range(max(3, self.runs // 2)):
            db = self.new_database()
            samples["cora-migrate"].append(timed([self.cora, "--database-url", proxy_url(proxy, db), "--migrations", folder,
                                                  "migrate"], self.env, self.work)[0])
            db = self.new_database()
            samples["floor"].append(timed([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", proxy_url(proxy, db), "-c",
                                           query], self.env, self.work)[0])
        cora, floor = statistics.median(samples["cora-migrate"]), statistics.median(samples["floor"])
        print(f"{n} one-statement files at D = {self.delay} ms (through the proxy)")
        print(f"  cora-migrate   {cora:7.3f} s   floor {floor:7.3f} s   {cora / floor:5.2f}x floor")

    def module_files(self):
        modules = os.path.join(ROOT, "migrations")
        files = []
        for name in sorted(n for n in os.listdir(modules) if n.endswith(".sql")):
            with open(os.path.join(modules, name), encoding="utf-8") as f:
                files.append((name, f.read()))
        return files

    def stop(self):
        self.server.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def proxy_url(proxy, db):
    return f"postgresql://postgres@127.0.0.1:{proxy.port}/{db}?sslmode=disable&gssencmode=disable"


def main():
    sys.setswitchinterval(0.0005)
    d = Deploys()
    try:
        version = run([d.cora, "--version"], "version").splitlines()[0]
        load = os.getloadavg()
        print(f"cora-migrate deploy benchmark: {version}; {d.runs} runs each, medians; load average "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
        print("  floor: psql sending every file's SQL as one query; psql: BEGIN; \\i file; COMMIT; per file")
        print("  round trips: a counting proxy at D = 0, connection and Terminate included\n")
        # The module-access files need the Supabase compatibility layer: in template1, as in
        # cora-migrate's embedded cluster, so every database has it, whichever tool runs.
        run([d.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
             d.server.url("template1", "unix").replace("postgres@", "supabase_admin@"), "-f",
             os.path.join(ROOT, "cli", "cora", "local", "supabase_compat.sql")], "compat layer", env=d.env)
        for n in d.sizes:
            for how in ("tcp", "unix"):
                d.tiny_case(n, how)
        tiny = [(f"{v:05d}-step.sql", f"CREATE TABLE t_{v:05d} (id int primary key);\n") for v in range(1, 301)]
        new_table = "CREATE TABLE deploy_probe_{0} (id bigint PRIMARY KEY, note text NOT NULL);\n"
        d.deploy_case("one new file onto 300 applied files", tiny, [("00301-new.sql", new_table.format(1))])
        d.deploy_case("two new files onto 300 applied files", tiny,
                      [("00301-new.sql", new_table.format(1)), ("00302-new.sql", new_table.format(2))])
        modules = d.module_files()
        d.deploy_case("one new file onto the module-access files", modules,
                      [("900-new.sql", new_table.format(1).replace("deploy_probe", "public.deploy_probe"))])
        if d.delay > 0 and 300 in d.sizes:
            d.at_distance(300)
    finally:
        d.stop()


if __name__ == "__main__":
    main()
