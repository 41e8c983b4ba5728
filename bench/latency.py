#!/usr/bin/env python3
"""cora-migrate at a distance: every command through a loopback proxy that delays each direction
by D/2 (one round trip = D ms) and counts round trips, against psql (one transaction per file)
and, when installed, dbmate. Prints numbers, judges nothing. Python 3 standard library only.

  bench/latency.py                    D = 0, 10, 25, 50 ms; 3 runs each (median)
  DELAYS=0,50 RUNS=1 bench/latency.py

Environment: CORA_MIGRATE (binary, default <repo>/build/cli/cora-migrate), PSQL (default
/usr/lib/postgresql/15/bin/psql), DBMATE (default: `dbmate` on PATH, or bench/node_modules/.bin),
DELAYS (ms, comma-separated), RUNS, TINY_FILES (default 300), TOOLS (compared with cora-migrate,
default psql,dbmate). See bench/README.md.
"""

import os
import queue
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
             "-f", os.path.join(ROOT, "cli", "core", "local", "supabase_compat.sql")], "compat layer", env=self.env)
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


def median_of(samples):
    return statistics.median(s[0] for s in samples), samples[-1][1], samples[-1][2]


def main():
    # Threads hand chunks to each other: switch often, so that waiting for the interpreter
    # lock adds as little as possible to the delay being simulated.
    sys.setswitchinterval(0.0005)
    b = Bench()
    try:
        b.start_cluster()
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
        print()

        workloads = [("modules", f"apply the {len(module_files)} module-access files", module_copy),
                     ("tiny", f"apply {b.tiny} one-line files", tiny)]
        table = []
        for delay in b.delays:
            proxy = DelayProxy(b.socket, delay)
            print(f"D = {delay} ms")
            for key, title, folder in workloads:
                results = {}
                tools = [("cora-migrate", lambda db, f=folder: [b.cora, "--database-url", b.url(proxy, db), "--migrations", f, "migrate"]),
                         ("psql", lambda db, s=scripts[key]: [b.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", b.url(proxy, db), "-f", s])]
                if b.dbmate:
                    tools.append(("dbmate", lambda db, d=dbmate_dirs[key]: [
                        b.dbmate, "--url", f"postgres://postgres@127.0.0.1:{proxy.port}/{db}?sslmode=disable", "--migrations-dir", d,
                        "--no-dump-schema", "up"]))
                tools = [t for t in tools if t[0] in b.tools or t[0] == "cora-migrate"]
                for tool, argv in tools:
                    samples = [b.measure(proxy, argv(b.fresh_database()), f"{tool} {title}") for _ in range(b.runs)]
                    results[tool] = median_of(samples)
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
            print()

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
    finally:
        b.stop_cluster()


if __name__ == "__main__":
    main()
