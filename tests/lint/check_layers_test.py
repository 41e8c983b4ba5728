#!/usr/bin/env python3
"""Tests of scripts/check-layers.py on small trees built in a scratch folder.

Each case writes a few files under cli/ of an empty folder and runs the script on it, so a
change to the layer table or to how includes are read shows here, not only on the real tree.
Usage: check_layers_test.py [ROOT] (the repository, for the script; default: two folders up).
"""
import importlib.util
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(sys.argv.pop(1) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
SCRIPT = ROOT / "scripts" / "check-layers.py"


def run_on(files):
    """Writes `files` ({path under the scratch root: text}) and runs the script: (exit code, stdout)."""
    with tempfile.TemporaryDirectory() as scratch:
        for relative, text in files.items():
            path = pathlib.Path(scratch) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, str(SCRIPT), scratch], capture_output=True, text=True, check=False)
        return done.returncode, done.stdout


class CheckLayersTest(unittest.TestCase):
    def test_an_include_up_the_layers_fails_and_names_file_and_line(self):
        code, out = run_on({
            "cli/cora/verify/x.hpp": "#pragma once\n",
            "cli/cora/sql/a.hpp": '#pragma once\n#include <string>\n#include "cora/verify/x.hpp"\n',
        })
        self.assertEqual(code, 1)
        self.assertIn("cli/cora/sql/a.hpp:3: sql (layer 2, core) includes verify (layer 3, orchestration)", out)

    def test_an_include_down_the_layers_passes(self):
        code, out = run_on({
            "cli/cora/sql/a.hpp": '#pragma once\n#include "cora/util/text_lines.hpp"\n',
            "cli/cora/verify/b.cpp": '#include "cora/sql/a.hpp"\n#include "cora/error.hpp"\n',
            "cli/commands/c.cpp": '#include "cora/verify/b.hpp"\n',
            "cli/main.cpp": '#include "commands/app.hpp"\n',
        })
        self.assertEqual((code, out), (0, ""))

    def test_a_sideways_include_the_table_allows_passes(self):
        code, out = run_on({"cli/cora/lints/c.cpp": '#include "cora/checks/d.hpp"\n'})
        self.assertEqual((code, out), (0, ""))

    def test_a_sideways_include_the_table_does_not_allow_fails(self):
        # The allowed pair the other way round: checks may not include lints.
        code, out = run_on({"cli/cora/checks/d.hpp": '#pragma once\n#include "cora/lints/c.hpp"\n'})
        self.assertEqual(code, 1)
        self.assertIn("cli/cora/checks/d.hpp:2: checks (layer 2, core) includes lints (layer 2, core)", out)

    def test_a_folder_missing_from_the_table_fails(self):
        code, out = run_on({"cli/cora/nowhere/e.cpp": "int e;\n"})
        self.assertEqual(code, 1)
        self.assertIn("cli/cora/nowhere/e.cpp:1: folder nowhere is not in the layer table", out)

    def test_a_cycle_in_the_sideways_table_is_found(self):
        spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.assertIsNone(module.sideways_cycle())  # the real table
        module.SIDEWAYS = {("lints", "checks"), ("checks", "catalog"), ("catalog", "lints")}
        self.assertEqual(module.sideways_cycle(), ["catalog", "lints", "checks", "catalog"])

    def test_architecture_md_must_show_the_table_the_script_prints(self):
        spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        stale = f"# A\n\n{module.BEGIN_MARKER}\n| `cli/cora/sql/` | old words | 2 core |\n{module.END_MARKER}\n\nafter\n"
        with tempfile.TemporaryDirectory() as scratch:
            document = pathlib.Path(scratch) / "ARCHITECTURE.md"
            document.write_text(stale, encoding="utf-8")
            run = lambda *extra: subprocess.run([sys.executable, str(SCRIPT), *extra, scratch],
                                                capture_output=True, text=True, check=False)
            checked = run()
            self.assertEqual(checked.returncode, 1)
            self.assertIn("ARCHITECTURE.md:3: the layer table differs from scripts/check-layers.py", checked.stdout)
            self.assertEqual(run("--write").returncode, 0)
            written = document.read_text(encoding="utf-8")
            self.assertTrue(written.startswith("# A\n\n") and written.endswith("\n\nafter\n"))
            self.assertIn("| `cli/cora/sql/` | PostgreSQL's parser", written)
            self.assertEqual((run().returncode, run().stdout), (0, ""))

    def test_every_folder_with_a_layer_is_described(self):
        spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.LAYERS = dict(module.LAYERS, rollback=3)
        self.assertIn("scripts/check-layers.py: folder rollback has a layer but no line in PURPOSE",
                      list(module.table_problems(pathlib.Path("/nonexistent"))))


if __name__ == "__main__":
    unittest.main()
