"""The dashboards read by Grafana's own schema: the types Grafana generates from its
dashboard, panel and Prometheus query kinds (Grafana Foundation SDK, strict reading).

No Grafana server can be installed here, so this is how the JSON is checked against
Grafana itself: an unknown field, a wrong type or a missing required field (other than
a panel option Grafana fills from the plugin's defaults) is refused, by its path. What
the SDK reads loosely is not checked here: ``fieldConfig`` (defaults and overrides).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dev.generate.dashboards import DASHBOARDS
from tests.paths import ROOT

pytestmark = pytest.mark.integration

CHECKER = ROOT / "tests" / "grafana_schema"
COMMITTED = sorted((ROOT / "deploy" / "monitoring" / "grafana" / "dashboards").glob("*.json"))


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    assert go, "the Go toolchain is needed to read the dashboards with Grafana's schema"
    binary = tmp_path_factory.mktemp("grafana_schema") / "grafana_schema"
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=CHECKER, check=True, timeout=600)
    return binary


def read(checker: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(checker), *map(str, paths)], capture_output=True, text=True, timeout=60
    )


def test_every_committed_dashboard_reads_as_grafana_reads_it(checker: Path):
    assert {path.stem for path in COMMITTED} == {board.uid for board in DASHBOARDS}
    result = read(checker, *COMMITTED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": ok") == len(COMMITTED)


def test_a_misspelt_option_query_field_or_wrong_type_is_refused_by_path(
    checker: Path, tmp_path: Path
):
    board: dict[str, Any] = json.loads(COMMITTED[0].read_text())
    stat = next(i for i, p in enumerate(board["panels"]) if p["type"] == "stat")
    table = next(i for i, p in enumerate(board["panels"]) if p["type"] == "table")
    board["panels"][stat]["options"]["colourMode"] = "value"
    board["panels"][stat]["targets"][0]["exprr"] = "up"
    board["panels"][table]["gridPos"]["w"] = "12"
    board["templating"]["list"][0]["hidden"] = True
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(board))
    result = read(checker, broken)
    assert result.returncode == 1
    for expected in (
        f"panels[{stat}].options.Options: unexpected field 'colourMode'",
        f"panels[{stat}].targets[0].Dataquery: unexpected field 'exprr'",
        f"panels[{table}].gridPos.w: json: cannot unmarshal string",
        "templating.list[0].VariableModel: unexpected field 'hidden'",
    ):
        assert expected in result.stdout, result.stdout


def test_a_panel_type_without_a_schema_here_is_refused(checker: Path, tmp_path: Path):
    board: dict[str, Any] = json.loads(COMMITTED[0].read_text())
    board["panels"][0]["type"] = "piechart"
    broken = tmp_path / "piechart.json"
    broken.write_text(json.dumps(board))
    result = read(checker, broken)
    assert result.returncode == 1
    assert 'type "piechart" has no schema registered here' in result.stdout, result.stdout
