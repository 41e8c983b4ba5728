#!/usr/bin/env python3
"""cora-migrate at a distance: every command through a loopback proxy that delays each direction
by D/2 (one round trip = D ms) and counts round trips, against psql (one transaction per file)
and, when installed, dbmate. Prints numbers, judges nothing. Python 3 standard library only.

  bench/latency.py                    D = 0, 10, 25, 50 ms; 3 runs each (median)
  DELAYS=0,50 RUNS=1 bench/latency.py

Environment: CORA_MIGRATE (binary, default <repo>/build/cli/cora-migrate), PSQL (default
/usr/lib/postgresql/15/bin/psql), DBMATE (default: `dbmate` on PATH, or bench/node_modules/.bin),
DELAYS (ms, comma-separated), RUNS, TINY_FILES (default 300), TOOLS (compared with cora-migrate,
default psql,dbmate), SETUP (1: connection set-up over TCP, TLS and SCRAM; 0: skipped), TARGETS
(default 100: databases of the many-targets workload; 0: skipped), TARGETS_DELAY (default 25 ms),
TARGET_JOBS (default 1,8,64). See bench/README.md.
"""

import os
import queue
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def die(message):
    print(f"latency: error: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- the delaying, counting proxy

class DelayProxy:
    """Listens on 127.0.0.1; relays each connection to `target` (a Unix socket path or
    (host, port)), holding every chunk D/2 in each direction, in order.

    A round trip (turn) is counted each time the client sends data after the last data on that
    connection came from the server (its first send counts too): whatever the client sends
    without waiting for an answer is one turn, as it costs one D on a distant server. The
    startup packet is one turn, and so is the closing Terminate (which waits for nothing)."""

    def __init__(self, target, delay_ms):
        self.target, self.one_way = target, delay_ms / 2000.0
        self.lock = threading.Lock()
        self.turns = self.connections = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.turns = self.connections = 0

    def _connect_target(self):
        if isinstance(self.target, str):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.target)
        else:
            s = socket.create_connection(self.target)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            server = self._connect_target()
            with self.lock:
                self.connections += 1
            state = {"last": "s2c"}
            self._pump(client, server, "c2s", state)
            self._pump(server, client, "s2c", state)

    def _pump(self, src, dst, direction, state):
        chunks = queue.Queue()

        def receive():
            while True:
                try:
                    data = src.recv(262144)
                except OSError:
                    data = b""
                with self.lock:
                    if data and direction == "c2s" and state["last"] == "s2c":
                        self.turns += 1
                    if data:
                        state["last"] = direction
                chunks.put((time.monotonic() + self.one_way, data))
                if not data:
                    return

        def send():
            pending = []
            while True:
                due, data = pending.pop(0) if pending else chunks.get()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                # Everything else already due goes in the same write: one wake-up per burst, not
                # per chunk, so the proxy's own scheduling does not add to the delay.
                burst = [data] if data else []
                while data:
                    try:
                        nxt = chunks.get_nowait()
                    except queue.Empty:
                        break
                    if nxt[0] > time.monotonic() or not nxt[1]:
                        pending.append(nxt)
                        break
                    burst.append(nxt[1])
                try:
                    if burst:
                        dst.sendall(b"".join(burst))
                    if not data:
                        dst.shutdown(socket.SHUT_WR)
                        return
                except OSError:
                    return

        threading.Thread(target=receive, daemon=True).start()
        threading.Thread(target=send, daemon=True).start()


# ---------------------------------------------------------------- set-up

def run(argv, label, env=None, cwd=None, check=True):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    if check and p.returncode != 0:
        sys.stderr.write(p.stdout.decode(errors="replace")[-2000:] + p.stderr.decode(errors="replace")[-2000:])
        die(f"{label}: exit code {p.returncode}: {shlex.join(argv)}")
    return p


def find_dbmate():
    explicit = os.environ.get("DBMATE")
    if explicit:
        return explicit
    for candidate in (shutil.which("dbmate"), os.path.join(HERE, "node_modules", ".bin", "dbmate")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Bench:
    def __init__(self):
        self.cora = os.path.abspath(os.environ.get("CORA_MIGRATE", os.path.join(ROOT, "build", "cli", "cora-migrate")))
        self.psql = os.environ.get("PSQL", "/usr/lib/postgresql/15/bin/psql")
        self.dbmate = find_dbmate()
        self.runs = int(os.environ.get("RUNS", "3"))
        self.delays = [int(d) for d in os.environ.get("DELAYS", "0,10,25,50").split(",")]
        self.tiny = int(os.environ.get("TINY_FILES", "300"))
        self.tools = os.environ.get("TOOLS", "psql,dbmate").split(",")  # compared with cora-migrate
        for path, what in ((self.cora, "cora-migrate binary (build it, or set CORA_MIGRATE)"), (self.psql, "psql (set PSQL)")):
            if not os.access(path, os.X_OK):
                die(f"no {what} at {path}")
        self.work = tempfile.mkdtemp(prefix="cora-latency.")
        os.chmod(self.work, 0o755)
        self.env = {k: v for k, v in os.environ.items() if k not in ("CORA_DATABASE_URL", "DATABASE_URL", "PGSERVICE", "PGOPTIONS")}
        self.counter = 0

    def start_cluster(self):
        # cora-migrate's own embedded cluster (PostgreSQL 15 on a Unix socket, fsync off), the
        # same server for every tool; the proxy relays TCP to its socket.
        with open(os.path.join(self.work, "cora-migrate.toml"), "w", encoding="utf-8") as f:
            f.write('[local]\ndata_dir = "pg"\n')
        run([self.cora, "local", "start"], "local start", env=self.env, cwd=self.work)
        status = run([self.cora, "local", "status"], "local status", env=self.env, cwd=self.work).stdout.decode()
        conninfo = status.split('psql "', 1)[1].split('"', 1)[0]
        fields = dict(item.split("=", 1) for item in shlex.split(conninfo))
        self.admin_conninfo = conninfo
        self.socket = os.path.join(fields["host"], f".s.PGSQL.{fields['port']}")
        # A template with the Supabase compatibility layer, which the module-access files need.
        self.admin("CREATE DATABASE bench_template")
        run([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo.replace("dbname=postgres", "dbname=bench_template"),
             "-f", os.path.join(ROOT, "cli", "cora", "local", "supabase_compat.sql")], "compat layer", env=self.env)
        self.server_version = self.admin("SHOW server_version").strip()

    def stop_cluster(self):
        run([self.cora, "local", "stop"], "local stop", env=self.env, cwd=self.work, check=False)
        shutil.rmtree(self.work, ignore_errors=True)

    def admin(self, sql):
        return run([self.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.admin_conninfo, "-c", sql],
                   "admin", env=self.env).stdout.decode()

    def fresh_database(self):
        self.counter += 1
        name = f"b{self.counter}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE bench_template")
        return name

    def admin_script(self, sql, conninfo=None):
        # Through stdin, not a command line: the SQL may hold a password.
        p = subprocess.run([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo or self.admin_conninfo, "-f", "-"],
                           input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
            die("admin script failed")

    def fresh_databases(self, count):
        names = []
        for _ in range(count):
            self.counter += 1
            names.append(f"b{self.counter}")
        self.admin_script("".join(f"CREATE DATABASE {n} TEMPLATE bench_template;\n" for n in names))
        return names

    def drop_databases(self, names):
        self.admin_script("".join(f"DROP DATABASE IF EXISTS {n};\n" for n in names))

    def url(self, proxy, db):
        return f"postgresql://postgres@127.0.0.1:{proxy.port}/{db}?sslmode=disable&gssencmode=disable"

    def write_tiny(self):
        tiny = os.path.join(self.work, "tiny")
        os.makedirs(tiny)
        for v in range(1, self.tiny + 1):
            with open(os.path.join(tiny, f"{v:04d}-step.sql"), "w", encoding="utf-8") as f:
                f.write(f"CREATE TABLE t_{v:05d} (id int primary key);\n")
        return tiny

    def psql_script(self, folder):
        script = folder + ".psql"
        with open(script, "w", encoding="utf-8") as f:
            for name in sorted(n for n in os.listdir(folder) if n.endswith(".sql")):
                f.write(f"BEGIN;\n\\i '{os.path.join(folder, name)}'\nCOMMIT;\n")
        return script

    def dbmate_folder(self, folder):
        # dbmate's own format: the same SQL under "-- migrate:up", each file in a transaction.
        out = folder + "-dbmate"
        os.makedirs(out)
        for name in sorted(n for n in os.listdir(folder) if n.endswith(".sql")):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                body = f.read()
            version = name.split("-", 1)[0]
            with open(os.path.join(out, f"{int(version):014d}_{name.split('-', 1)[1]}"), "w", encoding="utf-8") as f:
                f.write("-- migrate:up\n" + body + "\n-- migrate:down\n")
        return out

    # One measured command: wall time of the process, and the proxy's count.
    def measure(self, proxy, argv, label, cwd=None):
        proxy.reset()
        t0 = time.perf_counter()
        run(argv, label, env=self.env, cwd=cwd or self.work)
        elapsed = time.perf_counter() - t0
        time.sleep(0.05 + proxy.one_way * 2)  # the closing Terminate reaches the proxy
        with proxy.lock:
            return elapsed, proxy.turns, proxy.connections


# ---------------------------------------------------------------- connection set-up: TCP, TLS, SCRAM

class SecureServer:
    """A second PostgreSQL 15 server, as a hosted database is reached: TCP on 127.0.0.1, ssl = on
    with a self-signed certificate (made with the openssl command line), password_encryption =
    scram-sha-256. Two roles: bench_trust (no password) and bench_scram (a SCRAM password, given
    to clients through PGPASSWORD, never on a command line)."""

    def __init__(self, bench):
        self.bench = bench
        self.bin = os.path.dirname(bench.psql)
        self.dir = os.path.join(bench.work, "secure")
        os.makedirs(self.dir)
        self.as_postgres = os.geteuid() == 0  # initdb and postgres refuse root
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.password = secrets.token_urlsafe(18)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._tool([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync",
                    "--no-locale", "-E", "UTF8"], "initdb")
        if not shutil.which("openssl"):
            die("no openssl on PATH (needed for the TLS server's self-signed certificate; SETUP=0 skips it)")
        self._tool(["openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-newkey", "rsa:2048", "-subj", "/CN=localhost",
                    "-keyout", os.path.join(self.data, "server.key"), "-out", os.path.join(self.data, "server.crt")], "openssl")
        os.chmod(os.path.join(self.data, "server.key"), 0o600)
        with open(os.path.join(self.data, "postgresql.conf"), "a", encoding="utf-8") as f:
            f.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                    "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                    "password_encryption = 'scram-sha-256'\nfsync = off\n")
        with open(os.path.join(self.data, "pg_hba.conf"), "w", encoding="utf-8") as f:
            f.write("local all all trust\n"
                    "host all bench_trust 127.0.0.1/32 trust\n"
                    "host all bench_scram 127.0.0.1/32 scram-sha-256\n")
        self._tool([os.path.join(self.bin, "pg_ctl"), "start", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-s"],
                   "pg_ctl start")
        self.started = True
        local = f"host={self.dir} port={self.port} user=postgres dbname=postgres"
        bench.admin_script("CREATE ROLE bench_trust LOGIN;\n"
                           f"CREATE ROLE bench_scram LOGIN PASSWORD '{self.password}';\n"
                           "CREATE DATABASE setup;\n", conninfo=local)

    def _tool(self, argv, label):
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        run(argv, label, env=self.bench.env, cwd=self.dir)

    def stop(self):
        if getattr(self, "started", False):
            self._tool([os.path.join(self.bin, "pg_ctl"), "stop", "-D", self.data, "-m", "fast", "-w", "-s"], "pg_ctl stop")


SETUP_MODES = [("TCP", "bench_trust", "disable"), ("TLS", "bench_trust", "require"),
               ("SCRAM", "bench_scram", "disable"), ("TLS + SCRAM", "bench_scram", "require")]


def setup_workload(b, server, delay, module_copy, table):
    """`status` (one query) over each way of connecting; set-up = what the TCP case does not pay.
    TCP's own set-up is its startup packet: one round trip."""
    proxy = DelayProxy(("127.0.0.1", server.port), delay)
    env = dict(b.env, PGPASSWORD=server.password)
    results = {}
    for mode, user, sslmode in SETUP_MODES:
        url = f"postgresql://{user}@127.0.0.1:{proxy.port}/setup?sslmode={sslmode}&gssencmode=disable"
        tools = [("cora-migrate", [b.cora, "--database-url", url, "--migrations", module_copy, "status"])]
        if "psql" in b.tools:
            tools.append(("psql", [b.psql, "-X", "-q", "-At", "-d", url, "-c", "SELECT 1"]))
        for tool, argv in tools:
            samples = []
            for _ in range(b.runs):
                proxy.reset()
                t0 = time.perf_counter()
                run(argv, f"{tool} over {mode}", env=env, cwd=b.work)
                samples.append((time.perf_counter() - t0, 0, 0))
                time.sleep(0.05 + proxy.one_way * 2)
                with proxy.lock:
                    samples[-1] = (samples[-1][0], proxy.turns, proxy.connections)
            results[(mode, tool)] = median_of(samples)
    for mode, _, _ in SETUP_MODES:
        for tool in ("cora-migrate", "psql"):
            if (mode, tool) not in results:
                continue
            seconds, turns, conns = results[(mode, tool)]
            base_s, base_turns, _ = results[("TCP", tool)]
            setup_turns = turns - base_turns + 1
            setup_s = seconds - base_s + delay / 1000.0
            label = "status" if tool == "cora-migrate" else "-c 'SELECT 1'"
            print(f"  connect over {mode:<12} {tool:<13} {label:<14} {seconds:8.3f} s  {turns:3d} round trips  {conns} connection(s)"
                  f"  set-up {setup_turns} round trip(s), ~{setup_s * 1000:.0f} ms")
            table.append((delay, f"connect over {mode}", tool, seconds, turns))


# ---------------------------------------------------------------- many targets

def targets_workload(b, module_copy, scripts):
    """--all-envs migrate and status against TARGETS databases on one cluster, each its own
    [environments.NAME], through one proxy at TARGETS_DELAY."""
    count = int(os.environ.get("TARGETS", "100"))
    delay = int(os.environ.get("TARGETS_DELAY", "25"))
    jobs_list = [int(j) for j in os.environ.get("TARGET_JOBS", "1,8,64").split(",")]
    proxy = DelayProxy(b.socket, delay)
    folder = os.path.join(b.work, "targets")
    os.makedirs(folder, exist_ok=True)
    print(f"{count} targets at D = {delay} ms (one cluster, each database its own [environments.NAME]; one run each for migrate)")
    rows = []

    def configure(names):
        with open(os.path.join(folder, "cora-migrate.toml"), "w", encoding="utf-8") as f:
            for i, name in enumerate(names):
                f.write(f"[environments.t{i + 1:03d}]\ndatabase_url = \"{b.url(proxy, name)}\"\n")

    def timed(argv, label):
        proxy.reset()
        t0 = time.perf_counter()
        p = run(argv, label, env=b.env, cwd=folder)
        elapsed = time.perf_counter() - t0
        time.sleep(0.05 + proxy.one_way * 2)
        with proxy.lock:
            return elapsed, proxy.turns, proxy.connections, p

    for jobs in jobs_list:
        names = b.fresh_databases(count)
        configure(names)
        seconds, turns, conns, p = timed([b.cora, "--migrations", module_copy, "--all-envs", "--jobs", str(jobs), "migrate"],
                                         f"--all-envs --jobs {jobs} migrate")
        summary = last_nonempty_line(p.stdout.decode())
        print(f"  --all-envs --jobs {jobs:<3} migrate      {seconds:8.3f} s  {turns:6d} round trips  {conns} connection(s)  {summary}")
        rows.append((f"{count} targets: --all-envs migrate", f"--jobs {jobs}", seconds, turns))
        status = [timed([b.cora, "--migrations", module_copy, "--all-envs", "--jobs", str(jobs), "status"],
                        f"--all-envs --jobs {jobs} status")[:3] for _ in range(b.runs)]
        seconds, turns, conns = median_of(status)
        print(f"  --all-envs --jobs {jobs:<3} status       {seconds:8.3f} s  {turns:6d} round trips  {conns} connection(s)")
        rows.append((f"{count} targets: --all-envs status", f"--jobs {jobs}", seconds, turns))
        b.drop_databases(names)
    if "psql" in b.tools:
        names = b.fresh_databases(count)
        urls = os.path.join(folder, "urls")
        with open(urls, "w", encoding="utf-8") as f:
            f.write("".join(b.url(proxy, n) + "\n" for n in names))
        loop = (f'while read -r url; do {shlex.quote(b.psql)} -X -q -v ON_ERROR_STOP=1 -d "$url" '
                f'-f {shlex.quote(scripts["modules"])} || exit 1; done < {shlex.quote(urls)}')
        seconds, turns, conns, _ = timed(["bash", "-c", loop], "psql loop")
        print(f"  psql, one after another (shell loop)  {seconds:8.3f} s  {turns:6d} round trips  {conns} connection(s)")
        rows.append((f"{count} targets: --all-envs migrate", "psql loop", seconds, turns))
        b.drop_databases(names)
    print()
    return rows


def last_nonempty_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def median_of(samples):
    return statistics.median(s[0] for s in samples), samples[-1][1], samples[-1][2]


def main():
    # Threads hand chunks to each other: switch often, so that waiting for the interpreter
    # lock adds as little as possible to the delay being simulated.
    sys.setswitchinterval(0.0005)
    b = Bench()
    server = None
    try:
        b.start_cluster()
        if os.environ.get("SETUP", "1") != "0":
            server = SecureServer(b)
        modules = os.path.join(ROOT, "migrations")
        module_files = sorted(n for n in os.listdir(modules) if n.endswith(".sql"))
        module_copy = os.path.join(b.work, "modules")
        shutil.copytree(modules, module_copy)
        tiny = b.write_tiny()
        scripts = {"modules": b.psql_script(module_copy), "tiny": b.psql_script(tiny)}
        dbmate_dirs = {}
        if b.dbmate:
            dbmate_dirs = {"modules": b.dbmate_folder(module_copy), "tiny": b.dbmate_folder(tiny)}
        tool_version = run([b.cora, "--version"], "version").stdout.decode().strip()
        print("cora-migrate latency benchmark")
        print(f"  binary      {b.cora} ({tool_version})")
        print(f"  server      PostgreSQL {b.server_version}, cora-migrate's embedded cluster (fsync off), same for every tool")
        print("  proxy       127.0.0.1 -> the server's socket; each direction held D/2, so one round trip costs D")
        print("  turns       client sends after the server answered, including the startup packet and the closing Terminate")
        print(f"  timing      wall clock of the whole process; median of {b.runs} run(s)")
        print(f"  dbmate      {b.dbmate or 'not installed: skipped (npm install dbmate, or set DBMATE)'}")
        if server:
            print(f"  set-up      a second server on 127.0.0.1:{server.port}: ssl = on (self-signed), SCRAM for bench_scram (PGPASSWORD)")
        print()

        workloads = [("modules", f"apply the {len(module_files)} module-access files", module_copy),
                     ("tiny", f"apply {b.tiny} one-line files", tiny)]
        table = []
        for delay in b.delays:
            proxy = DelayProxy(b.socket, delay)
            print(f"D = {delay} ms")
            for key, title, folder in workloads:
                tools = [("cora-migrate", lambda db, f=folder: [b.cora, "--database-url", b.url(proxy, db), "--migrations", f, "migrate"]),
                         ("psql", lambda db, s=scripts[key]: [b.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", b.url(proxy, db), "-f", s])]
                if b.dbmate:
                    tools.append(("dbmate", lambda db, d=dbmate_dirs[key]: [
                        b.dbmate, "--url", f"postgres://postgres@127.0.0.1:{proxy.port}/{db}?sslmode=disable", "--migrations-dir", d,
                        "--no-dump-schema", "up"]))
                tools = [t for t in tools if t[0] in b.tools or t[0] == "cora-migrate"]
                # Runs alternate between the tools, so that a machine getting slower or faster
                # while the benchmark runs weighs on every tool alike.
                samples = {tool: [] for tool, _ in tools}
                for _ in range(b.runs):
                    for tool, argv in tools:
                        samples[tool].append(b.measure(proxy, argv(b.fresh_database()), f"{tool} {title}"))
                results = {tool: median_of(s) for tool, s in samples.items()}
                cora_s = results["cora-migrate"][0]
                for tool, (seconds, turns, conns) in results.items():
                    ratio = "" if tool == "cora-migrate" else f"{seconds / cora_s:6.1f}x cora-migrate's time"
                    print(f"  {title:<36} {tool:<13} {seconds:8.3f} s  {turns:6d} round trips  {conns} connection(s)  {ratio}")
                    table.append((delay, title, tool, seconds, turns))
            # Read-only commands against a database holding the module-access schema.
            db = b.fresh_database()
            run([b.cora, "--database-url", b.url(proxy, db), "--migrations", module_copy, "migrate"], "set-up", env=b.env, cwd=b.work)
            checks = os.path.join(ROOT, "checks")
            commands = [("status", [b.cora, "--database-url", b.url(proxy, db), "--migrations", module_copy, "status"]),
                        ("verify", [b.cora, "--database-url", b.url(proxy, db), "--migrations", module_copy, "--checks", checks, "verify"]),
                        ("diff", [b.cora, "--database-url", b.url(proxy, db), "--migrations", module_copy, "diff"])]
            run(commands[2][1], "diff warm-up (builds the files' schema once)", env=b.env, cwd=b.work)
            for name, argv in commands:
                seconds, turns, conns = median_of([b.measure(proxy, argv, name) for _ in range(b.runs)])
                print(f"  {name:<36} {'cora-migrate':<13} {seconds:8.3f} s  {turns:6d} round trips  {conns} connection(s)")
                table.append((delay, name, "cora-migrate", seconds, turns))
            if server:
                setup_workload(b, server, delay, module_copy, table)
            print()

        target_rows = targets_workload(b, module_copy, scripts) if int(os.environ.get("TARGETS", "100")) > 0 else []

        print("Summary: seconds (round trips); ratio = tool / cora-migrate")
        titles = list(dict.fromkeys(t for _, t, _, _, _ in table))
        tools = list(dict.fromkeys(tool for _, _, tool, _, _ in table))
        for title in titles:
            line = f"  {title:<36}"
            for delay in b.delays:
                rows = {tool: (s, n) for d, t, tool, s, n in table if d == delay and t == title}
                cells = []
                for tool in tools:
                    if tool in rows:
                        s, n = rows[tool]
                        ratio = "" if tool == "cora-migrate" else f" {s / rows['cora-migrate'][0]:.1f}x"
                        cells.append(f"{tool.split('-')[0]} {s:.2f}s ({n}){ratio}")
                line += f" | D={delay}: " + ", ".join(cells)
            print(line)
        for title, how, seconds, turns in target_rows:
            print(f"  {title:<36} {how:<10} {seconds:.2f}s ({turns})")
    finally:
        if server:
            server.stop()
        b.stop_cluster()


if __name__ == "__main__":
    main()
