#!/usr/bin/env python3
"""Fails when an #include in cli/ points up the layers, or sideways where the table forbids it.

Every folder of cli/cora/ has a layer (LAYERS below), and
cli/commands/ with cli/main.cpp sits on top. A file may include a folder of a lower layer, any
file of its own folder, and a folder of its own layer only when SIDEWAYS lists that pair; the
listed pairs point one way, so no two folders include each other. Reads every
#include "cora/..." and #include "commands/..." of cli/. Usage: check-layers.py [--write] [ROOT]; exit 0
when every include is allowed, 1 otherwise, listing each as
FILE:LINE: <folder> (layer X) includes <folder> (layer Y).

ARCHITECTURE.md's layer table is printed from this file (PURPOSE, LAYERS, SIDEWAYS) between the
markers below, so the document and the check cannot disagree: the check also fails when the
table in ARCHITECTURE.md is not what `check-layers.py --write [ROOT]` would write there.
"""
import pathlib
import re
import sys

# Layer number, highest first. `cora` is the files directly in cli/cora/ (error.hpp, version.*),
# which every layer may include.
LAYERS = {
    "commands": 4,  # cli/commands/ and cli/main.cpp: the command line
    # Orchestration: a command's whole run, gathering from the database and judging.
    "checklist": 3,
    "diff": 3,
    "migrate": 3,
    "verify": 3,
    # Core: the file model, the plan, PostgreSQL's parser, the offline lint, the catalog facts and
    # the checks and built-in lints that judge them. No I/O to a server.
    "app": 2,
    "catalog": 2,
    "checks": 2,
    "lint": 2,
    "lints": 2,
    "migrations": 2,
    "project": 2,
    "sql": 2,
    # Base: PostgreSQL, the configuration, the local cluster, the terminal, small utilities.
    "config": 1,
    "db": 1,
    "local": 1,
    "output": 1,
    "util": 1,
    "cora": 0,
}

LAYER_NAMES = {4: "commands", 3: "orchestration", 2: "core", 1: "base", 0: "root"}

# What each folder is for, in the order ARCHITECTURE.md lists them (highest layer first): the
# first column is how the table names the folder.
PURPOSE = [
    ("commands", "`cli/main.cpp`", "the `cora-migrate` binary: one line"),
    ("commands", "`cli/commands/`", "the command line (CLI11): one file per subcommand, the top-level error handler"),
    ("migrate", "`cli/cora/migrate/`", "the Migrator: planning a run into pipelined steps, applying it, mapping failures"),
    ("verify", "`cli/cora/verify/`", "verify's run: the catalog snapshot read in one pipeline, probes, finding sources, drift pointers, the rerun proof, adoption, reports"),
    ("checklist", "`cli/cora/checklist/`", "checklist files, scenarios in rolled-back transactions, evidence rules, the checklist reports"),
    ("diff", "`cli/cora/diff/`", "`diff`: the expected schema's template database, the schema snapshot, the comparison, where files define objects, the SQL back, the reports"),
    ("app", "`cli/cora/app/`", "the application code's calls into the database ([app]): found in the Python backend with Python's own parser (`find_calls.py`, embedded), the schema the migration files leave, each call judged (pure), the findings as lint findings"),
    ("catalog", "`cli/cora/catalog/`", "the catalog snapshot's facts (tables, indexes, policies, functions, roles, ...) and their JSON decoder: plain data"),
    ("checks", "`cli/cora/checks/`", "check files (`checks/*.toml`) read into a `CheckSet`, judged against a catalog snapshot; `CheckOutcome` and `Finding`"),
    ("lints", "`cli/cora/lints/`", "the built-in lints: what is wrong in any schema, judged from a catalog snapshot, one file per family of rules"),
    ("lint", "`cli/cora/lint/`", "the offline lint of migration files (pure: files in, findings out), one file per rule"),
    ("migrations", "`cli/cora/migrations/`", "finding, naming, checksumming and reading migration files (directives, checks before applying); whether an edit since a file was applied is only comments and whitespace; status and plan (pure)"),
    ("project", "`cli/cora/project/`", "a project's files: one folder, or every module (`modules = [...]`), the module registry (yaml-cpp), dependency order"),
    ("sql", "`cli/cora/sql/`", "PostgreSQL's parser and scanner (libpg_query; only this folder includes it): statements split once per run with offsets and lines, parse trees, tokens, what a statement defines, function-body analysis, search_path resolution"),
    ("config", "`cli/cora/config/`", "`cora-migrate.toml`, environment variables and flag precedence; the lint rules and their levels"),
    ("db", "`cli/cora/db/`", "the libpq connection (only this layer includes libpq), connection-string parsing, checks and redaction, the history table, the pipeline, advice by SQLSTATE"),
    ("local", "`cli/cora/local/`", "the embedded PostgreSQL cluster and the Supabase compatibility layer"),
    ("output", "`cli/cora/output/`", "terminal styling; the progress line on a terminal; escaping for the machine formats (JUnit XML, GitHub annotations)"),
    ("util", "`cli/cora/util/`", "hashing, redaction, positions, processes"),
    ("cora", "`cli/cora/error.hpp`, `version.*`", "the one error type and the exit codes, the version; every layer may include them"),
]

BEGIN_MARKER = "<!-- layer table: printed by scripts/check-layers.py --write; edit the script, not this table -->"
END_MARKER = "<!-- end of the layer table -->"

# The includes allowed between two folders of one layer: (includer, included).
SIDEWAYS = {
    ("checklist", "verify"),  # a checklist runs the verify pipeline and reads check files
    ("verify", "diff"),       # verify's rerun proof and finding sources compare schemas
    ("verify", "migrate"),    # the rerun proof applies the files twice
    ("diff", "migrate"),      # the expected schema is the files applied to a scratch database
    ("app", "lint"),          # the application's calls are lint findings, and the files are read as lint reads them
    ("app", "migrations"),    # silences in Python comments are read as in migration files
    ("app", "sql"),           # the migration files' parse trees say what they define
    ("checks", "catalog"),    # checks judge the catalog snapshot
    ("checks", "sql"),        # and parse function bodies and check files' SQL
    ("lints", "catalog"),     # the built-in lints judge the same snapshot
    ("lints", "checks"),      # with the checks' function analyses and outcomes
    ("lints", "migrations"),  # a finding names the module file that creates an object
    ("lints", "sql"),         # and policies' expressions are parsed
    ("lint", "migrations"),   # the lint reads migration files
    ("lint", "sql"),          # and parses them
    ("migrations", "sql"),    # a migration file is split into statements
    ("project", "migrations"),  # a project is its folders of migration files
    ("config", "util"),     # a blank in a line of a .env file is the one of a migration file
    ("db", "util"),
    ("local", "db"),          # the local cluster is reached through a connection
    ("local", "util"),
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"((?:cora|commands)/[^"]+)"')


def folder_of(relative):
    """The folder a path under cli/ belongs to: commands, a cli/cora/ folder, or cora (the root files)."""
    parts = relative.parts
    if parts[0] == "commands" or relative.as_posix() == "main.cpp":
        return "commands"
    if parts[0] == "cora":
        return parts[1] if len(parts) > 2 else "cora"
    return None


def describe(folder):
    layer = LAYERS[folder]
    return f"{folder} (layer {layer}, {LAYER_NAMES[layer]})"


def violations(root):
    cli = root / "cli"
    for path in sorted(cli.rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".h", ".cc") or not path.is_file():
            continue
        source = folder_of(path.relative_to(cli))
        if source is None:
            continue
        if source not in LAYERS:
            yield f"{path.relative_to(root)}:1: folder {source} is not in the layer table of scripts/check-layers.py"
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = folder_of(pathlib.PurePosixPath(match.group(1)))
            if target == source:
                continue
            where = f"{path.relative_to(root)}:{number}"
            if target not in LAYERS:
                yield f"{where}: includes {match.group(1)}, whose folder {target} is not in the layer table"
            elif LAYERS[target] > LAYERS[source] or (
                LAYERS[target] == LAYERS[source] and (source, target) not in SIDEWAYS
            ):
                yield f"{where}: {describe(source)} includes {describe(target)}"


def sideways_cycle():
    """A cycle among the SIDEWAYS pairs (the table's own mistake), or None."""
    edges = {}
    for source, target in SIDEWAYS:
        edges.setdefault(source, []).append(target)
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in edges.get(node, []):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [nxt] if nxt in trail else trail + [nxt]
            if nxt not in state:
                found = visit(nxt, trail + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def layer_table():
    """The markdown ARCHITECTURE.md shows between its markers: every folder with its layer, then the
    sideways includes allowed."""
    lines = [BEGIN_MARKER, "", "| folder | what it is for | layer |", "|---|---|---|"]
    for folder, shown, purpose in PURPOSE:
        layer = LAYERS[folder]
        lines.append(f"| {shown} | {purpose} | {layer} {LAYER_NAMES[layer]} |")
    lines += ["", "The includes allowed between two folders of one layer (one way):", ""]
    lines.append(", ".join(f"{source} → {target}" for source, target in sorted(SIDEWAYS)) + ".")
    lines += ["", END_MARKER]
    return "\n".join(lines)


def table_problems(root):
    """Where PURPOSE and LAYERS disagree, or ARCHITECTURE.md's table is not the printed one."""
    described = {folder for folder, _, _ in PURPOSE}
    for folder in sorted(set(LAYERS) - described):
        yield f"scripts/check-layers.py: folder {folder} has a layer but no line in PURPOSE"
    for folder in sorted(described - set(LAYERS)):
        yield f"scripts/check-layers.py: PURPOSE describes {folder}, which has no layer"
    document = root / "ARCHITECTURE.md"
    if not document.is_file():
        return
    text = document.read_text(encoding="utf-8")
    begin, end = text.find(BEGIN_MARKER), text.find(END_MARKER)
    if begin < 0 or end < begin:
        yield "ARCHITECTURE.md:1: the layer table's markers are missing: run scripts/check-layers.py --write"
    elif text[begin:end + len(END_MARKER)] != layer_table():
        line = text.count("\n", 0, begin) + 1
        yield (f"ARCHITECTURE.md:{line}: the layer table differs from scripts/check-layers.py: "
               "run scripts/check-layers.py --write")


def write_table(root):
    document = root / "ARCHITECTURE.md"
    text = document.read_text(encoding="utf-8")
    begin, end = text.find(BEGIN_MARKER), text.find(END_MARKER)
    if begin < 0 or end < begin:
        print("ARCHITECTURE.md: the layer table's markers are missing; add them where the table goes", file=sys.stderr)
        return 1
    document.write_text(text[:begin] + layer_table() + text[end + len(END_MARKER):], encoding="utf-8")
    return 0


def main():
    arguments = sys.argv[1:]
    write = "--write" in arguments
    arguments = [a for a in arguments if a != "--write"]
    root = pathlib.Path(arguments[0] if arguments else ".").resolve()
    if write:
        return write_table(root)
    problems = list(violations(root)) + list(table_problems(root))
    cycle = sideways_cycle()
    if cycle:
        problems.append("scripts/check-layers.py: SIDEWAYS has a cycle: " + " -> ".join(cycle))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} include(s) against the layers (the table at the top of scripts/check-layers.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
