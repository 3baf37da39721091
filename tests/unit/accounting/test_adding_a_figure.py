"""docs/adding-a-figure.md, followed on a copy of the tree: its two snippets added where it
says, the generated files generated, the compiled rows built as setup.py builds them.
The new figure is then counted by both tables, shown in the totals and exposed as a
metric, with nothing else edited."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

DOC = ROOT / "docs" / "adding-a-figure.md"

#: Applies one record with a figure of 4 to a ledger of each storage, in the copy.
PROBE = """
import json, sys
from prometheus_client import CollectorRegistry
from safetywatch.accounting.storage import PYTHON_STORAGE
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period
from safetywatch.aggregator.metrics.counts import LedgerCollector
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.config.area import load_area
from safetywatch.native.storage import compiled_module, compiled_storage
from tests.reports import RECEIVED, record

area = load_area()
seen = {}
for kind, storage in (("python", PYTHON_STORAGE), ("compiled", compiled_storage(compiled_module()))):
    ledger = Ledger(area.zone, storage=storage)
    ledger.apply(record("520201-T1", trapped=4, deaths=1))
    quarter = ledger.incident("520201-T1").quarter
    totals = ledger.summary(Period.of_quarter(quarter)).totals
    registry = CollectorRegistry()
    registry.register(LedgerCollector(ledger, area, PipelineState(replay_complete=True), lambda: RECEIVED))
    samples = [s for m in registry.collect() for s in m.samples if m.name == "safetywatch_trapped"]
    in_quarter = [s.value for s in samples if s.labels.get("period") == quarter.label]
    seen[kind] = {"totals": totals.to_json(), "metric": sum(in_quarter)}
print(json.dumps(seen))
"""


def _snippet(kind: str) -> str:
    """The doc's code block tagged ``python <kind>``."""
    found = re.search(rf"```python {re.escape(kind)}\n(.*?)```", DOC.read_text("utf-8"), re.S)
    assert found, f"docs/adding-a-figure.md has no ```python {kind} block"
    return found.group(1)


def _insert_after(path: Path, anchor: str, text: str) -> None:
    source = path.read_text("utf-8")
    assert source.count(anchor) == 1, f"{anchor!r} in {path}"
    path.write_text(source.replace(anchor, anchor + text), "utf-8")


def _copy_of_the_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.so", ".cache")
    for folder in ("services", "tests", "docs", "schemas", "dev", "deploy"):
        shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    for name in ("README.md", "setup.py", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    return root


def _build_rows(root: Path) -> None:
    """The extension setup.py declares, built in place (what pip install does)."""
    script = (
        "import sys, setuptools; sys.argv = ['setup.py', 'build_ext', '--inplace', '-q'];"
        "exec(open('setup.py').read())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_documented_steps_add_a_counted_figure(tmp_path: Path):
    root = _copy_of_the_tree(tmp_path)
    package = root / "services" / "safetywatch"
    # 1. Declare it (after late_supplements, as the doc says).
    fields = package / "accounting" / "fields.py"
    source = fields.read_text("utf-8")
    end = source.index("    ),\n", source.index('Figure(\n        "late_supplements"')) + 7
    fields.write_text(source[:end] + _snippet("fields.py") + source[end:], "utf-8")
    # 2. Fill it.
    _insert_after(
        package / "accounting" / "revisions.py",
        "                late_supplements=late_supplements,\n",
        _snippet("revisions.py"),
    )
    # 3. Generate and install.
    environment = {**os.environ, "PYTHONPATH": f"{root / 'services'}{os.pathsep}{root}"}
    generate = [sys.executable, "-m", "dev.generate", "--root", str(root)]
    done = subprocess.run(generate, env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "trapped" in (package / "native" / "layout.h").read_text("utf-8")
    assert "`trapped`" in (root / "docs" / "figures.md").read_text("utf-8")
    _build_rows(root)
    check = [sys.executable, "-m", "dev.generate", "--check", "--root", str(root)]
    assert subprocess.run(check, env=environment, capture_output=True, check=False).returncode == 0

    probe = [sys.executable, "-c", PROBE]
    done = subprocess.run(probe, env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    for kind in ("python", "compiled"):
        assert seen[kind]["totals"]["trapped"] == 4, kind
        assert seen[kind]["totals"]["deaths"] == 1, kind
        assert seen[kind]["metric"] == 4, kind
