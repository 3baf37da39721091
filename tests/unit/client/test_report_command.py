"""``safetywatch report``'s mistakes, each one sentence and exit status 2, before anything
is queued: no token, a GBK CSV (what Excel saves on Chinese Windows), a spreadsheet, a
heading row alone, a row with more cells than the heading (named by its line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safetywatch.cli import main

HEADING = "incident_id,revision,category,region_code,occurred_at\n"


@pytest.mark.parametrize(
    ("name", "content", "token", "sentence"),
    [
        ("r.csv", HEADING.encode(), "", "no token: set SAFETYWATCH_TOKEN or give --token-file"),
        ("gbk.csv", ("事故编号\n" + "钟山区\n").encode("gbk"), "sw_x", "not UTF-8"),
        ("r.xlsx", b"PK\x03\x04", "sw_x", "a spreadsheet: save it as CSV (UTF-8)"),
        ("r.csv", HEADING.encode(), "sw_x", "no reports in it (a heading row only?)"),
        (
            "r.csv",
            (
                HEADING
                + "520201-2026-0001,1,coal_mine,520201,2026-12-01T10:00:00+08:00\n"
                + "520201-2026-0002,1,coal_mine,520201,2026-12-01T11:00:00+08:00,\n"
            ).encode(),
            "sw_x",
            "r.csv: line 3: 6 cells, but the heading names 5 columns (a trailing comma",
        ),
    ],
)
def test_each_mistake_is_one_sentence_before_anything_is_queued(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes,
    token: str,
    sentence: str,
):
    monkeypatch.setenv("SAFETYWATCH_TOKEN", token)
    monkeypatch.setenv("SAFETYWATCH_GATEWAY", "http://127.0.0.1:9")  # nothing listens
    path = tmp_path / name
    path.write_bytes(content)
    outbox = tmp_path / "outbox"
    status = main(["report", str(path), "--outbox", str(outbox)])
    err = capsys.readouterr().err
    assert status == 2
    assert sentence in err
    assert "Traceback" not in err
    assert not list(outbox.glob("*.json"))
