"""The replay with a reader process beside it, on the real broker: the same numbers and
the same isolated records as a replay read by the follower alone, and a reader that dies
leaves the follower to read on with nothing lost or counted twice."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from dev.stack import produce_raw, realistic_records, wait_until
from safetywatch.events.decode import MAX_RECORD_BYTES
from tests.integration.checks import count_series, logged, status_of, wait_until_read
from tests.integration.harness import Service, Services

pytestmark = pytest.mark.integration

POISON: list[tuple[bytes | None, bytes | None]] = [
    (b"520201-P1", b"\xff\xfe\x00garbage"),
    (b"520201-P2", b"this is not json"),
    (b"520201-P3", b'{"valid": "json", "but": "no report"}'),
    (b"520201-P4", None),
    (b"520201-P5", b"{" + b" " * (MAX_RECORD_BYTES + 1) + b"}"),
]


def aggregator(services: Services, reader_from: int, wait: bool = True) -> Service:
    return services.start(
        "aggregator",
        wait=wait,
        ready_timeout=180,
        SAFETYWATCH_REPLAY_READER_MIN_RECORDS=str(reader_from),
    )


def invalid_listing(service: Service) -> tuple[dict[str, int], list[tuple[int, int, str]]]:
    listing = httpx.get(f"{service.url}/v1/invalid-records", timeout=10).json()
    records = sorted((r["partition"], r["offset"], r["reason"]) for r in listing["records"])
    return listing["counts"], records


def test_a_replay_read_beside_a_reader_equals_one_read_alone(services: Services):
    records = list(realistic_records(20_000, tag="R"))
    mismatched = (b"520201-SOMEONE-ELSE", records[0][1])  # a report under another's key
    produced = produce_raw(
        services.kafka,
        services.topic,
        [*records[:10_000], *POISON, mismatched, *records[10_000:]],
    )
    beside = aggregator(services, reader_from=1)
    alone = aggregator(services, reader_from=0)
    wait_until_read(beside, produced)
    wait_until_read(alone, produced)

    [started] = logged(beside, "replay_reader_started")
    # the follower reads a tenth of each partition itself while the reader starts
    ahead, by_reader = int(str(started["read_ahead"])), int(str(started["records"]))
    assert 0 < ahead <= produced // 10
    assert by_reader + ahead == produced
    assert logged(beside, "replay_reader_finished")
    assert not logged(alone, "replay_reader_started")
    assert count_series(beside) == count_series(alone)
    counts, listed = invalid_listing(beside)
    assert counts == {
        "not_utf8": 1,
        "not_json": 1,
        "not_a_report": 1,
        "empty": 1,
        "oversized": 1,
        "key_mismatch": 1,
    }
    assert (counts, listed) == invalid_listing(alone)


def test_a_reader_that_dies_leaves_the_follower_to_read_on(services: Services):
    produced = produce_raw(services.kafka, services.topic, realistic_records(100_000, tag="D"))
    beside = aggregator(services, reader_from=1, wait=False)
    [started] = wait_until(
        lambda: logged(beside, "replay_reader_started"), 60, "the reader to start", interval=0.01
    )
    os.kill(int(str(started["pid"])), signal.SIGKILL)  # while it starts or reads

    beside.wait_ready(180)
    wait_until_read(beside, produced)
    [failed] = logged(beside, "replay_reader_failed")
    assert "ended early" in str(failed["reason"])
    alone = aggregator(services, reader_from=0)
    wait_until_read(alone, produced)
    assert count_series(beside) == count_series(alone)


def test_a_stop_during_the_replay_stops_the_reader_too(services: Services):
    produce_raw(services.kafka, services.topic, realistic_records(100_000, tag="S"))
    beside = aggregator(services, reader_from=1, wait=False)
    [started] = wait_until(
        lambda: logged(beside, "replay_reader_started"), 60, "the reader to start", interval=0.01
    )
    wait_until(lambda: status_of(f"{beside.url}/readyz") == 503, 60, "the API (replay running)")
    # Shut down as uvicorn does: handlers run, then the signal is raised again.
    assert beside.stop(signal.SIGTERM) == -signal.SIGTERM
    assert "Traceback" not in beside.log()
    reader = Path(f"/proc/{started['pid']}")
    wait_until(lambda: not reader.exists(), 10, "the reader process to end")


def test_a_reader_does_not_outlive_a_killed_aggregator(services: Services):
    produce_raw(services.kafka, services.topic, realistic_records(100_000, tag="O"))
    beside = aggregator(services, reader_from=1, wait=False)
    [started] = wait_until(
        lambda: logged(beside, "replay_reader_started"), 60, "the reader to start", interval=0.01
    )
    assert beside.stop(signal.SIGKILL) == -signal.SIGKILL  # nothing runs its shutdown
    reader = Path(f"/proc/{started['pid']}")
    wait_until(lambda: not reader.exists(), 30, "the orphaned reader process to end")
