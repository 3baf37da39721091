"""``up`` checks every setting before it starts anything: a bad or misspelt variable is
one sentence and leaves no broker behind (issue 30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dev.stack.__main__ import main
from safetywatch.config import ENV_PREFIX


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        ("SAFETYWATCH_GATEWAY_PORT", "80800", "SAFETYWATCH_GATEWAY_PORT"),
        # Made up here: a misspelt name in a file would be an undeclared variable there.
        (ENV_PREFIX + "GATEWAY_PROT", "8081", "did you mean SAFETYWATCH_GATEWAY_PORT?"),
        ("SAFETYWATCH_KAFKA_HEAP", "lots", "SAFETYWATCH_KAFKA_HEAP"),
    ],
)
def test_a_bad_variable_stops_up_before_the_broker_starts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    sentence: str,
):
    kafka_dir = tmp_path / "kafka"
    monkeypatch.setenv("SAFETYWATCH_KAFKA_DIR", str(kafka_dir))
    monkeypatch.delenv("SAFETYWATCH_KAFKA_BOOTSTRAP", raising=False)
    monkeypatch.setenv(variable, value)
    assert main(["up"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("up: error: invalid configuration:")
    assert sentence in err
    assert "Traceback" not in err
    assert not kafka_dir.exists(), "a broker was set up before the settings were checked"
