"""``dev/down --purge`` deletes the scratch of .run and never what an administrator keeps."""

from __future__ import annotations

from pathlib import Path

from dev.stack.local import KEPT_ON_PURGE, _purge


def test_purge_keeps_the_tokens_and_their_audit(tmp_path: Path):
    (tmp_path / "kafka" / "log").mkdir(parents=True)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "gateway.log").write_text("x")
    (tmp_path / "gateway.pid").write_text("1")
    for kept in KEPT_ON_PURGE:
        (tmp_path / kept).write_text("kept")
    assert _purge(tmp_path) == ["gateway.pid", "kafka", "logs"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(KEPT_ON_PURGE)
    assert _purge(tmp_path / "absent") == []
