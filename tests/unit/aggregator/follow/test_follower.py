"""The follower's handling of one record: isolate what cannot be applied, pass a
retriable error up with nothing applied, and leave the ledger as it was on failure."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.accounting.record_store import MemoryRecordStore
from safetywatch.aggregator.follow.applier import RecordApplier
from safetywatch.aggregator.follow.follower import LogFollower
from safetywatch.aggregator.follow.replay_reader import ReadBatch
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.config import KafkaConnectionSettings
from safetywatch.errors import StateUnavailable
from safetywatch.events.decode import InvalidReason, passes_fast_path
from safetywatch.kafka.errors import is_retriable
from tests.reports import record

ZONE = ZoneInfo("Asia/Shanghai")


class _BrokenStore:
    """Raises ``error`` when asked to keep a body of ``incident_id``: the rules call the
    store before anything in the ledger changes, as a defect in a rule would fail."""

    def __init__(self, incident_id: str, error: Exception) -> None:
        self._kept = MemoryRecordStore()
        self.broken, self._error = incident_id, error
        self.read, self.flush = self._kept.read, self._kept.flush

    def append(self, raw: bytes) -> int:
        if f'"incident_id":"{self.broken}"'.encode() in raw:
            raise self._error
        return self._kept.append(raw)


def broken_on(incident_id: str, error: Exception) -> Ledger:
    """A ledger with a defect for one incident: what a bug in the rules would look like."""
    return Ledger(ZONE, store=_BrokenStore(incident_id, error))


def follower(ledger: Ledger) -> tuple[LogFollower, PipelineState]:
    pipeline = PipelineState()
    return LogFollower(
        KafkaConnectionSettings.from_mapping({}), "t", ledger, pipeline, MemoryRecordStore()
    ), pipeline


def feed(target: LogFollower, *records: Any) -> None:
    for offset, item in enumerate(records):
        raw = item.to_json_bytes()
        target.handle(0, offset, item.incident_id.encode(), raw)


def test_a_record_that_fails_to_apply_is_isolated_and_the_next_one_applies():
    ledger = broken_on("520201-BAD", OverflowError("date value out of range"))
    target, pipeline = follower(ledger)
    feed(target, record("520201-BAD", deaths=3), record("520201-GOOD", deaths=1))
    assert pipeline.invalid_by_reason == {InvalidReason.UNAPPLICABLE: 1}
    (listed,) = pipeline.invalid_records
    assert (listed.partition, listed.offset) == (0, 0)
    assert listed.detail == "OverflowError: date value out of range"
    assert pipeline.outcomes["applied"] == 1
    assert ledger.incident("520201-GOOD") is not None


def test_a_failed_revision_leaves_the_incident_and_its_counts_as_they_were():
    store = _BrokenStore("none", ValueError("defect"))
    ledger = Ledger(ZONE, store=store)
    target, pipeline = follower(ledger)
    feed(target, record("520201-X", deaths=3))
    before = ledger.summary(Period.of_quarter(Quarter(2022, 1))).to_json()
    store.broken = "520201-X"
    feed(target, record("520201-X", 2, deaths=12))
    assert ledger.summary(Period.of_quarter(Quarter(2022, 1))).to_json() == before
    state = ledger.incident("520201-X")
    assert state is not None
    assert state.revision == 1
    assert pipeline.invalid_by_reason[InvalidReason.UNAPPLICABLE] == 1


def test_a_retriable_error_leaves_handle_with_nothing_applied():
    ledger = broken_on("520201-DISK", StateUnavailable("disk full"))
    target, pipeline = follower(ledger)
    with pytest.raises(StateUnavailable):
        feed(target, record("520201-DISK"))
    assert len(ledger) == 0
    assert not pipeline.invalid_records
    assert not pipeline.outcomes


def test_retriable_is_read_from_the_error_itself():
    from aiokafka.errors import KafkaConnectionError, UnsupportedVersionError

    assert is_retriable(StateUnavailable("x"))
    assert is_retriable(KafkaConnectionError())
    assert not is_retriable(UnsupportedVersionError())
    assert not is_retriable(RuntimeError("x"))


def batch_of(*items: Any) -> ReadBatch:
    """Records (or raw (key, value) pairs) at offsets 0.., vouched as the reader would
    (while applying them one by one below decodes each in full)."""
    pairs = [
        (item.incident_id.encode(), item.to_json_bytes()) if hasattr(item, "incident_id") else item
        for item in items
    ]
    keys, values = [key for key, _ in pairs], [value for _, value in pairs]
    vouched = bytes(map(passes_fast_path, keys, values))
    return ReadBatch(0, list(range(len(pairs))), keys, values, vouched)


def test_a_batch_applies_exactly_as_its_records_one_by_one():
    items = [
        record("520201-A", deaths=1),
        record("520201-B", deaths=2),
        record("520201-A", 2, deaths=3),
        record("520201-A", 2, deaths=3),  # a retry
        record("520201-B", 1, deaths=2),  # stale
        (b"520201-P", b"not json"),
        (b"520201-E", None),
        (b"520201-OTHER", record().to_json_bytes()),
        record("520201-C", retracted=True),
    ]
    batch = batch_of(*items)
    assert batch.vouched.count(1) == 6  # the poison and the mismatched key are not vouched
    one_by_one, batched = Ledger(ZONE), Ledger(ZONE)
    singly, whole = PipelineState(), PipelineState()
    for n in range(len(items)):
        RecordApplier(one_by_one, singly).handle(0, *batch.record(n))
    assert RecordApplier(batched, whole).handle_batch(batch) == (len(items), None)
    quarter = Period.of_quarter(Quarter(2022, 1))
    assert batched.summary(quarter).to_json() == one_by_one.summary(quarter).to_json()
    assert whole.outcomes == singly.outcomes
    assert list(whole.invalid_records) == list(singly.invalid_records)


def test_a_retriable_error_stops_a_batch_at_its_record_with_nothing_of_it_applied():
    ledger = broken_on("520201-DISK", StateUnavailable("disk full"))
    pipeline = PipelineState()
    applier = RecordApplier(ledger, pipeline)
    batch = batch_of(record("520201-A"), record("520201-DISK"), record("520201-B"))
    done, error = applier.handle_batch(batch)
    assert (done, type(error)) == (1, StateUnavailable)
    assert ledger.incident("520201-A") is not None
    assert ledger.incident("520201-DISK") is None
    assert applier.handle_batch(batch, done + 1) == (3, None)
    assert ledger.incident("520201-B") is not None
    assert not pipeline.invalid_records


def test_a_vouched_record_that_fails_to_apply_is_isolated_and_the_batch_goes_on():
    ledger = broken_on("520201-BAD", OverflowError("date value out of range"))
    pipeline = PipelineState()
    batch = batch_of(record("520201-BAD"), record("520201-GOOD"))
    assert batch.vouched == b"\x01\x01"
    assert RecordApplier(ledger, pipeline).handle_batch(batch) == (2, None)
    (listed,) = pipeline.invalid_records
    assert (listed.offset, listed.reason) == (0, InvalidReason.UNAPPLICABLE)
    assert ledger.incident("520201-GOOD") is not None
