"""Restart from a checkpoint on the real broker: the tail is all that is read again,
and the numbers equal a replica that replayed everything; a checkpoint that cannot be
trusted is ignored, saying why, and the full replay runs."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from dev.stack import produce_raw, read_topic, realistic_records
from tests.integration.checks import (
    assert_matches_reference,
    count_series,
    logged,
    wait_until_read,
)
from tests.integration.harness import Service, Services, records_of

pytestmark = pytest.mark.integration


def with_state(services: Services, state: Path) -> Service:
    return services.start("aggregator", ready_timeout=180, SAFETYWATCH_STATE_DIR=str(state))


def test_a_restart_reads_only_the_tail_and_equals_a_full_replay(services: Services, tmp_path: Path):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    first_part = produce_raw(services.kafka, services.topic, realistic_records(20_000, tag="A"))
    first = with_state(services, state)
    wait_until_read(first, first_part)
    first.stop(signal.SIGTERM)  # a graceful stop writes a checkpoint
    assert logged(first, "checkpoint_written")
    assert (state / "checkpoint.bin").is_file()

    tail = produce_raw(services.kafka, services.topic, realistic_records(3_000, tag="B"))
    second = with_state(services, state)
    [loaded] = logged(second, "checkpoint_loaded")
    assert loaded["records_to_replay"] == tail
    wait_until_read(second, first_part + tail)

    everything = services.start("aggregator", ready_timeout=180)  # no state: full replay
    wait_until_read(everything, first_part + tail)
    assert count_series(second) == count_series(everything)
    log = records_of(read_topic(services.kafka, services.topic))
    assert assert_matches_reference(second, log) > 0

    # Killed without warning: the last checkpoint (written after the replay) still serves.
    second.stop(signal.SIGKILL)
    third = with_state(services, state)
    assert logged(third, "checkpoint_loaded")
    assert count_series(third) == count_series(everything)


def test_a_corrupt_checkpoint_is_ignored_and_the_log_replayed(services: Services, tmp_path: Path):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    produced = produce_raw(services.kafka, services.topic, realistic_records(5_000, tag="C"))
    first = with_state(services, state)
    wait_until_read(first, produced)
    expected = count_series(first)
    first.stop(signal.SIGTERM)
    checkpoint = state / "checkpoint.bin"
    data = bytearray(checkpoint.read_bytes())
    data[len(data) // 2] ^= 0xFF
    checkpoint.write_bytes(bytes(data))

    second = with_state(services, state)
    [ignored] = logged(second, "checkpoint_ignored")
    assert "corrupt" in str(ignored["reason"])
    wait_until_read(second, produced)
    assert count_series(second) == expected


def test_two_replicas_cannot_share_a_state_directory_and_the_second_replays(
    services: Services, tmp_path: Path
):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    produced = produce_raw(services.kafka, services.topic, realistic_records(2_000, tag="D"))
    first = with_state(services, state)
    second = with_state(services, state)
    assert logged(second, "checkpoints_off")
    for replica in (first, second):
        wait_until_read(replica, produced)
    assert count_series(first) == count_series(second)
