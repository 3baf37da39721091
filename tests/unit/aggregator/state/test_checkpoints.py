"""A checkpoint plus the tail of the log equals the full replay, wherever the log is
cut; a checkpoint that cannot be trusted is refused before anything in it is read."""

from __future__ import annotations

import ast
import asyncio
import itertools
import shutil
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetywatch.accounting.chain import ChainRules, chain_of
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period
from safetywatch.accounting.record_store import MemoryRecordStore
from safetywatch.accounting.storage import PYTHON_STORAGE, LedgerStorage
from safetywatch.accounting.summary import summary_document
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.aggregator.state.checkpoints import (
    STATE_SOURCES,
    CheckpointIgnored,
    Checkpoints,
    code_fingerprint,
)
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.report import IncidentRecord
from safetywatch.native.storage import compiled_module, compiled_storage
from tests.histories import PREFIXES, chain_histories
from tests.paths import PACKAGE
from tests.reports import RECEIVED, record

#: The aggregator's modules on the path from a record to the checkpointed state.

ZONE = ZoneInfo("Asia/Shanghai")
RULES = ChainRules()
TOPIC = "test.checkpoint"
PRINT = "fingerprint-of-this-code"
Item = IncidentRecord | ConfirmationRecord
#: Both kinds of ledger storage: the Python definition and the compiled one (installed
#: with the package; an installation without it fails this module rather than skipping).
TABLES: dict[str, LedgerStorage] = {
    "python": PYTHON_STORAGE,
    "compiled": compiled_storage(compiled_module()),
}


def applied(ledger: Ledger, items: list[Item]) -> Ledger:
    for item in items:
        if isinstance(item, ConfirmationRecord):
            ledger.apply_confirmation(item)
        else:
            ledger.apply(item)
    return ledger


def through_a_checkpoint(
    log: list[Item],
    cut: int,
    directory: Path,
    tables: LedgerStorage,
    read_into: LedgerStorage | None = None,
) -> Ledger:
    """The first ``cut`` records, a checkpoint written and read back (into the other
    storage with ``read_into``), then the rest."""
    store = MemoryRecordStore()
    before = applied(Ledger(ZONE, store, chain=RULES, storage=tables), log[:cut])
    checkpoints = Checkpoints(directory, PRINT, TOPIC)
    offsets = {0: cut}
    asyncio.run(checkpoints.save(before.snapshot(), PipelineState(), offsets, 0))
    reader = read_into or tables
    restored = asyncio.run(checkpoints.load({0: len(log)}, reader))
    assert restored.offsets == offsets
    after = Ledger(ZONE, store, chain=RULES, storage=reader)
    after.restore(restored.snapshot)
    return applied(after, log[cut:])


def assert_same(one: Ledger, other: Ledger, log: list[Item]) -> None:
    assert len(one) == len(other)
    for state in one.incidents():
        twin = other.incident(state.incident_id)
        assert twin is not None
        assert twin.derived(other.record_of(twin)) == state.derived(one.record_of(state))
        for hours in (0, 2.5, 30):
            now = state.first_received_at + timedelta(hours=hours)
            assert chain_of(twin, RULES, now) == chain_of(state, RULES, now)
    months = {s.month for s in one.incidents()}
    for period in [Period.month(m) for m in months] + [Period.year(m // 12) for m in months]:
        assert one.timeliness(period) == other.timeliness(period)
        for prefix in PREFIXES[:4]:
            assert summary_document(one, period, prefix) == summary_document(other, period, prefix)
    for item in log:
        start = item.received_at
        assert {s.incident_id for s in one.alerting_since(start)} == {
            s.incident_id for s in other.alerting_since(start)
        }
        assert {s.incident_id for s in one.touched_since(start)} <= {
            s.incident_id for s in other.touched_since(start)
        } | {s.incident_id for s in one.incidents() if not _touched(s, start)}


def _touched(state, start) -> bool:
    moments = [state.last_received_at, *(c.at for c in state.confirmations.values())]
    return any(m is not None and m >= start for m in moments)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(chain_histories(), st.data())
def test_a_checkpoint_and_the_tail_equal_the_full_replay(
    tmp_path_factory: pytest.TempPathFactory, log: list[Item], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(log)), "cut")
    full = applied(Ledger(ZONE, MemoryRecordStore(), chain=RULES), log)
    for writer, reader in itertools.product(TABLES.values(), repeat=2):
        directory = tmp_path_factory.mktemp("checkpoint")
        resumed = through_a_checkpoint(log, cut, directory, writer, reader)
        assert_same(full, resumed, log)


def test_a_checkpoint_in_the_middle_of_a_revision_chain(tmp_path: Path) -> None:
    log: list[Item] = [
        record("520201-R1", revision=1, deaths=1, received_at=RECEIVED),
        record("520201-R1", revision=2, deaths=3, received_at=RECEIVED + timedelta(hours=1)),
        record("520201-R1", revision=3, deaths=12, received_at=RECEIVED + timedelta(hours=2)),
        record("520201-R1", revision=2, deaths=3, received_at=RECEIVED + timedelta(hours=3)),
    ]
    for (kind, tables), cut in itertools.product(TABLES.items(), range(len(log) + 1)):
        full = applied(Ledger(ZONE, MemoryRecordStore(), chain=RULES), log)
        (tmp_path / f"{kind}{cut}").mkdir()
        assert_same(full, through_a_checkpoint(log, cut, tmp_path / f"{kind}{cut}", tables), log)


@pytest.fixture
def written(tmp_path: Path) -> Checkpoints:
    ledger = applied(Ledger(ZONE, chain=RULES), [record("520201-C1", deaths=3)])
    checkpoints = Checkpoints(tmp_path, PRINT, TOPIC)
    asyncio.run(checkpoints.save(ledger.snapshot(), PipelineState(), {0: 1, 1: 0}, 0))
    return checkpoints


def refused(checkpoints: Checkpoints, ends: dict[int, int] | None = None) -> str:
    with pytest.raises(CheckpointIgnored) as why:
        asyncio.run(checkpoints.load(ends or {0: 5, 1: 5}, PYTHON_STORAGE))
    return str(why.value)


@pytest.mark.parametrize("position", [0, 9, 40, -100, -1])
def test_a_corrupt_checkpoint_is_refused_before_it_is_read(written: Checkpoints, position: int):
    data = bytearray(written.path.read_bytes())
    data[position] ^= 0x40
    written.path.write_bytes(bytes(data))
    assert refused(written) in ("not a checkpoint file", "corrupt: its checksum does not match")


def test_a_checkpoint_of_an_older_file_format_is_refused_by_name(written: Checkpoints):
    data = bytearray(written.path.read_bytes())
    data[:8] = b"SWCKPT01"
    written.path.write_bytes(bytes(data))
    assert refused(written) == "written as SWCKPT01, this code reads SWCKPT02"


def test_a_truncated_or_missing_checkpoint_is_refused(written: Checkpoints):
    written.path.write_bytes(written.path.read_bytes()[:-10])
    assert "checksum" in refused(written)
    written.path.unlink()
    assert refused(written) == "no checkpoint yet"


def test_a_checkpoint_of_other_code_another_topic_or_ahead_of_the_topic_is_refused(
    written: Checkpoints,
):
    other_code = Checkpoints(written.path.parent, "another", TOPIC)
    assert "other code" in refused(other_code)
    other_topic = Checkpoints(written.path.parent, PRINT, "another.topic")
    assert "for topic" in refused(other_topic)
    assert "ahead of the topic" in refused(written, {0: 0, 1: 5})
    assert "partitions" in refused(written, {0: 5})
    restored = asyncio.run(written.load({0: 1, 1: 0}, PYTHON_STORAGE))
    assert [s.incident_id for s in restored.snapshot.incidents.states()] == ["520201-C1"]


def test_a_checkpoint_is_read_into_either_storage_of_the_same_rows(written: Checkpoints):
    """The Python and the compiled tables keep the same rows: a restart that falls back to
    the Python ones (or leaves them) does not replay the whole log."""
    for tables in TABLES.values():
        restored = asyncio.run(written.load({0: 1, 1: 0}, tables))
        assert [s.incident_id for s in restored.snapshot.incidents.states()] == ["520201-C1"]
    other_rows = LedgerStorage("rows-0123456789abcdef", PYTHON_STORAGE.incidents)
    with pytest.raises(CheckpointIgnored, match=r"it holds rows-.*, this ledger keeps rows-01"):
        asyncio.run(written.load({0: 1, 1: 0}, other_rows))


def _copy_of_the_package(tmp_path: Path) -> Path:
    copy = tmp_path / "safetywatch"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize(
    ("changed", "invalidates"),
    [
        ("accounting/ledger.py", True),
        ("events/fast_path.py", True),
        ("config/area.py", True),
        ("events/decode.py", True),
        ("aggregator/follow/applier.py", True),
        ("errors.py", True),
        ("ingest/api/field_app.py", False),
        ("aggregator/api/statistics.py", False),
        ("aggregator/metrics/counts.py", False),
        ("alerting/evaluate.py", False),
        ("alerting/rules.py", False),
        ("cli.py", False),
    ],
)
def test_only_code_that_derives_the_state_invalidates_a_checkpoint(
    tmp_path: Path, changed: str, invalidates: bool
):
    copy = _copy_of_the_package(tmp_path)
    before = code_fingerprint(copy)
    assert before == code_fingerprint(PACKAGE)
    with (copy / changed).open("a") as source:
        source.write("\n# changed\n")
    assert (code_fingerprint(copy) != before) is invalidates


def test_the_state_packages_import_only_each_other():
    """What derives the state imports nothing outside STATE_SOURCES, so no change
    elsewhere can alter it. (config's rule models import alerting; the ledger never
    evaluates them, which is why config's own imports are not followed here.)"""
    modules = [PACKAGE / name for name in STATE_SOURCES if name not in ("config", "native")]
    files = [f for m in modules for f in (sorted(m.rglob("*.py")) if m.is_dir() else [m])]
    for path in files:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("safetywatch."):
                parts = node.module.split(".")[1:]  # type: ignore[union-attr]
                assert any(
                    "/".join(parts[: len(source.split("/"))]) == source.removesuffix(".py")
                    for source in STATE_SOURCES
                ), f"{path.name} imports {node.module}"
