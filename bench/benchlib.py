#!/usr/bin/env python3
"""Helper for bench/run.sh (Python 3 standard library only).

Subcommands:
  freeport                      print a free TCP port on 127.0.0.1
  gen DIR COUNT WIDTH           write COUNT tiny migrations DIR/<version>-step.sql
  psql-script DIR OUT           write a psql script: BEGIN; \\i file; COMMIT; per file in DIR
  time ...                      time commands (wall clock, time.perf_counter), median of runs
  turns ...                     run one command through a counting TCP proxy, print turns
  record/summary                store results in a JSON file and print the final table
"""

import argparse
import json
import os
import selectors
import shlex
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time


def die(message):
    print(f"benchlib: error: {message}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- files

def table_name(version):
    # The table name does not depend on the file name's width, so the same version has the same
    # content (and checksum) in the N-file folder and in the 10,000-file folder.
    return f"t_{version:05d}"


def cmd_freeport(_args):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def cmd_gen(args):
    os.makedirs(args.dir, exist_ok=True)
    for v in range(1, args.count + 1):
        path = os.path.join(args.dir, f"{v:0{args.width}d}-step.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"CREATE TABLE {table_name(v)} (id int primary key);\n")


def cmd_psql_script(args):
    files = sorted(n for n in os.listdir(args.dir) if n.endswith(".sql"))
    with open(args.out, "w", encoding="utf-8") as f:
        for name in files:
            path = os.path.abspath(os.path.join(args.dir, name))
            f.write(f"BEGIN;\n\\i '{path}'\nCOMMIT;\n")


# ---------------------------------------------------------------- timing

def run_checked(argv, label, env=None):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stdout.decode(errors="replace")[-2000:])
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
        die(f"{label}: exit code {p.returncode}: {shlex.join(argv)}")
    return p


def time_once(argv, label):
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - t0) * 1000.0
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
        die(f"{label}: exit code {p.returncode}: {shlex.join(argv)}")
    return elapsed


def cmd_time(args):
    """Cases run round-robin (a, b, a, b, ...) so that drift of the machine hits all alike.

    Each case: NAME, PREPARE (shell command run untimed before every run, '' for none),
    COMMAND (split with shlex and executed directly, no shell). Only COMMAND is timed: from
    spawning the process to its exit, stdout/stderr discarded.
    """
    cases = [(n, p, shlex.split(c)) for n, p, c in args.case]
    samples = {n: [] for n, _, _ in cases}
    for i in range(args.warmup + args.runs):
        for name, prepare, argv in cases:
            if prepare:
                run_checked(["bash", "-c", prepare], f"{name} (prepare)")
            ms = time_once(argv, name)
            if i >= args.warmup:
                samples[name].append(ms)
    out = {}
    for name, values in samples.items():
        out[name] = {"median_ms": statistics.median(values), "min_ms": min(values), "max_ms": max(values),
                     "runs": len(values), "samples_ms": [round(v, 3) for v in values]}
        print(f"  {name:<46} median {out[name]['median_ms']:9.2f} ms   min {min(values):9.2f}   "
              f"max {max(values):9.2f}   ({len(values)} runs)")
    if args.results:
        merge_results(args.results, {args.key: out})


# ---------------------------------------------------------------- round-trip counting proxy

STARTUP_CODES = {80877103: "SSLRequest", 80877104: "GSSENCRequest", 80877102: "CancelRequest"}


class ClientStream:
    """Splits the frontend byte stream into protocol messages, to count them by type."""

    def __init__(self):
        self.buf = b""
        self.in_startup = True
        self.counts = {}

    def feed(self, data):
        self.buf += data
        while True:
            if self.in_startup:
                if len(self.buf) < 8:
                    return
                length, code = struct.unpack("!ii", self.buf[:8])
                if len(self.buf) < length:
                    return
                kind = STARTUP_CODES.get(code, "Startup")
                self.buf = self.buf[length:]
                # After SSLRequest/GSSENCRequest (refused: sslmode=disable) another startup packet follows.
                self.in_startup = kind in ("SSLRequest", "GSSENCRequest")
            else:
                if len(self.buf) < 5:
                    return
                kind = chr(self.buf[0])
                length = struct.unpack("!i", self.buf[1:5])[0]
                if len(self.buf) < 1 + length:
                    return
                self.buf = self.buf[1 + length:]
            self.counts[kind] = self.counts.get(kind, 0) + 1


class Relay(threading.Thread):
    """One client connection. A *turn* is counted each time the client sends data and the last
    data seen on this connection came from the server (or nothing was seen yet). Bursts the
    client sends without waiting for an answer (pipelining, or one message split over several
    TCP segments) are one turn; every client->server burst that follows a server answer is one
    more. The relay is a single loop over both sockets, so it observes one total order."""

    def __init__(self, client, target, stats, lock):
        super().__init__(daemon=True)
        self.client, self.target, self.stats, self.lock = client, target, stats, lock

    def run(self):
        server = socket.create_connection(self.target)
        for s in (self.client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel = selectors.DefaultSelector()
        sel.register(self.client, selectors.EVENT_READ, "c2s")
        sel.register(server, selectors.EVENT_READ, "s2c")
        turns, last, frontend = 0, "s2c", ClientStream()
        bytes_c2s = bytes_s2c = 0
        open_ = True
        while open_:
            for key, _ in sel.select():
                src = key.fileobj
                dst = server if key.data == "c2s" else self.client
                try:
                    data = src.recv(65536)
                except ConnectionError:
                    data = b""
                if not data:
                    open_ = False
                    break
                if key.data == "c2s":
                    if last == "s2c":
                        turns += 1
                    frontend.feed(data)
                    bytes_c2s += len(data)
                else:
                    bytes_s2c += len(data)
                last = key.data
                dst.sendall(data)
        for s in (self.client, server):
            try:
                s.close()
            except OSError:
                pass
        with self.lock:
            self.stats.append({"turns": turns, "messages": frontend.counts,
                               "bytes_c2s": bytes_c2s, "bytes_s2c": bytes_s2c})


def run_through_proxy(target, argv_template):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    stats, lock, relays = [], threading.Lock(), []

    def accept_loop():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            r = Relay(conn, target, stats, lock)
            relays.append(r)
            r.start()

    threading.Thread(target=accept_loop, daemon=True).start()
    argv = [a.replace("{port}", str(port)) for a in argv_template]
    run_checked(argv, "command through proxy")
    # The client has exited, so its sockets are closed; let the relays see EOF and record.
    deadline = time.time() + 10
    for r in list(relays):
        r.join(max(0.0, deadline - time.time()))
    listener.close()
    with lock:
        total = {"connections": len(stats), "turns": sum(s["turns"] for s in stats), "messages": {}}
        for s in stats:
            for k, v in s["messages"].items():
                total["messages"][k] = total["messages"].get(k, 0) + v
    return total


MESSAGE_NAMES = {"Q": "Query", "P": "Parse", "B": "Bind", "D": "Describe", "E": "Execute", "S": "Sync",
                 "H": "Flush", "X": "Terminate", "C": "Close", "p": "Password", "Startup": "Startup",
                 "SSLRequest": "SSLRequest", "GSSENCRequest": "GSSENCRequest", "d": "CopyData", "c": "CopyDone"}


def describe_messages(counts):
    return ", ".join(f"{MESSAGE_NAMES.get(k, k)}={v}" for k, v in sorted(counts.items()))


def cmd_turns(args):
    host, port = args.target.rsplit(":", 1)
    result = run_through_proxy((host, int(port)), args.command)
    print(f"  {args.name:<46} turns {result['turns']:6d}   connections {result['connections']}   "
          f"client messages: {describe_messages(result['messages'])}")
    if args.results:
        merge_results(args.results, {"turns": {args.name: result}})


# ---------------------------------------------------------------- results and summary

def merge_results(path, update):
    data = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    for k, v in update.items():
        if isinstance(v, dict) and isinstance(data.get(k), dict):
            data[k].update(v)
        else:
            data[k] = v
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)


def cmd_record(args):
    merge_results(args.results, {args.key: json.loads(args.json)})


def cmd_import_hyperfine(args):
    with open(args.json, encoding="utf-8") as f:
        r = json.load(f)["results"][0]
    times = [t * 1000.0 for t in r["times"]]
    v = {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times), "runs": len(times)}
    print(f"  {args.name:<46} median {v['median_ms']:9.2f} ms   min {v['min_ms']:9.2f}   "
          f"max {v['max_ms']:9.2f}   ({v['runs']} runs)")
    merge_results(args.results, {args.key: {args.name: v}})


def cmd_summary(args):
    with open(args.results, encoding="utf-8") as f:
        r = json.load(f)
    n = r["meta"]["n"]
    rows = []

    apply_ = r["apply"]
    cora, psql = apply_["cora-migrate migrate"]["median_ms"], apply_["psql (BEGIN/\\i/COMMIT)"]["median_ms"]
    ratio = cora / psql
    rows.append((f"apply {n} files: cora-migrate (median)", f"{cora:.1f} ms", ""))
    rows.append((f"apply {n} files: psql, 1 tx per file (median)", f"{psql:.1f} ms", ""))
    rows.append(("ratio cora-migrate / psql", f"{ratio:.2f}x", "<= 1.2x"))
    rows.append(("  whole run / N: cora-migrate / psql", f"{cora / n:.3f} / {psql / n:.3f} ms", ""))
    fixed = r.get("apply_fixed")
    if fixed:
        cf, pf = fixed["cora-migrate migrate, 0 pending"]["median_ms"], fixed["psql, empty script"]["median_ms"]
        rows.append(("  fixed cost (0 pending / empty script)", f"{cf:.1f} / {pf:.1f} ms", ""))
        rows.append(("  marginal per migration: cora / psql", f"{(cora - cf) / n:.3f} / {(psql - pf) / n:.3f} ms",
                     f"ratio {(cora - cf) / (psql - pf):.2f}x"))

    t = r["turns"]
    cora_d = t["cora: N pending"]["turns"] - t["cora: 0 pending"]["turns"]
    psql_d = t["psql: N files"]["turns"] - t["psql: 0 files"]["turns"]
    rows.append(("round trips per migration: cora-migrate", f"{cora_d} / {n} = {cora_d / n:.3f}", "1"))
    rows.append(("round trips per migration: psql (shown)", f"{psql_d} / {n} = {psql_d / n:.3f}", "-"))

    s = r["status"]
    for name, v in s.items():
        rows.append((f"{name} (median)", f"{v['median_ms']:.1f} ms", "< 150 ms"))
    for name, v in r["version"].items():
        rows.append((f"{name} (median)", f"{v['median_ms']:.2f} ms", "< 5 ms"))

    w0 = max(len(a) for a, _, _ in rows)
    w1 = max(len(b) for _, b, _ in rows)
    line = "-" * (w0 + w1 + 20)
    print(line)
    print(f"{'measurement':<{w0}}  {'result':>{w1}}  target")
    print(line)
    for a, b, c in rows:
        print(f"{a:<{w0}}  {b:>{w1}}  {c}")
    print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("freeport").set_defaults(fn=cmd_freeport)
    p = sub.add_parser("gen")
    p.add_argument("dir")
    p.add_argument("count", type=int)
    p.add_argument("width", type=int)
    p.set_defaults(fn=cmd_gen)
    p = sub.add_parser("psql-script")
    p.add_argument("dir")
    p.add_argument("out")
    p.set_defaults(fn=cmd_psql_script)
    p = sub.add_parser("time")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--case", nargs=3, action="append", required=True, metavar=("NAME", "PREPARE", "COMMAND"))
    p.add_argument("--results")
    p.add_argument("--key", default="times")
    p.set_defaults(fn=cmd_time)
    p = sub.add_parser("turns")
    p.add_argument("--target", required=True, help="host:port of PostgreSQL")
    p.add_argument("--name", required=True)
    p.add_argument("--results")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- argv; {port} is replaced by the proxy's port")
    p.set_defaults(fn=cmd_turns)
    p = sub.add_parser("record")
    p.add_argument("results")
    p.add_argument("key")
    p.add_argument("json")
    p.set_defaults(fn=cmd_record)
    p = sub.add_parser("import-hyperfine")
    p.add_argument("results")
    p.add_argument("key")
    p.add_argument("name")
    p.add_argument("json")
    p.set_defaults(fn=cmd_import_hyperfine)
    p = sub.add_parser("summary")
    p.add_argument("results")
    p.set_defaults(fn=cmd_summary)
    args = ap.parse_args()
    if getattr(args, "command", None) and args.command and args.command[0] == "--":
        args.command = args.command[1:]
    args.fn(args)


if __name__ == "__main__":
    main()
