"""The aggregator's record file gives back exactly what it was given, and leaves nothing."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest

from safetywatch.aggregator.state.checkpoint_file import write_checkpoint
from safetywatch.aggregator.state.record_file import RecordFile, make_private


def test_bodies_read_back_byte_for_byte_before_and_after_more_appends(tmp_path):
    store = RecordFile(tmp_path)
    first = store.append(b'{"a": 1}')
    assert store.read(first) == b'{"a": 1}'  # still in the write buffer when read
    bodies = [os.urandom(n) for n in (0, 1, 4096, 300_000, 17)]
    refs = [store.append(body) for body in bodies]
    assert [store.read(ref) for ref in refs] == bodies
    assert store.read(first) == b'{"a": 1}'
    assert store.size == 8 + sum(map(len, bodies))
    store.close()


def test_every_body_reads_back_wherever_it_is_written_or_waiting(tmp_path):
    store, written = RecordFile(tmp_path), {}
    for flush_after in (3, 1, 5, 2):
        for n in range(flush_after):
            body = os.urandom(100 + 37 * n)
            written[store.append(body)] = body
        assert all(store.read(ref) == body for ref, body in written.items())
        store.flush()
        assert store.pending == 0
    store.truncate(0)
    assert store.size == 0
    again = store.append(b"after")
    assert store.read(again) == b"after"
    store.close()


def test_the_file_has_no_name_so_a_crash_leaves_nothing_behind(tmp_path):
    store = RecordFile(tmp_path)
    store.append(b"x" * 1000)
    assert list(tmp_path.iterdir()) == []
    store.close()


def test_a_body_over_the_reference_limit_is_refused(tmp_path):
    store = RecordFile(tmp_path)
    with pytest.raises(ValueError, match="over the store's limit"):
        store.append(b"x" * (1 << 20))
    store.close()


#: Run in a child process: a file-size limit is a real refusal by the OS (EFBIG), the
#: way a full disk refuses, and it can be lifted again to show the recovery.
_FULL_DISK_SCRIPT = """
import resource, sys
from pathlib import Path
from safetywatch.aggregator.state.checkpoint_file import write_checkpoint
from safetywatch.aggregator.state.record_file import RecordFile, make_private
from safetywatch.errors import StateUnavailable

store = RecordFile(Path(sys.argv[1]))
resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, resource.RLIM_INFINITY))
refs = [store.append(bytes([n]) * 3000) for n in range(8)]
try:
    store.flush()
except StateUnavailable as error:
    assert error.retriable
    print("refused:", error)
else:
    raise SystemExit("the flush past the limit should have failed")
assert 0 < store.pending < 24_000, store.pending
assert [store.read(r) for r in refs] == [bytes([n]) * 3000 for n in range(8)]
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
store.flush()
assert store.pending == 0 and store.size == 24_000
assert [store.read(r) for r in refs] == [bytes([n]) * 3000 for n in range(8)]
print("recovered")
"""


def test_a_refused_write_keeps_every_body_and_succeeds_once_there_is_room(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "refused: SAFETYWATCH_STATE_DIR: writing the record file failed (EFBIG" in result.stdout
    assert result.stdout.rstrip().endswith("recovered")


def test_the_state_directory_is_made_the_aggregators_alone(tmp_path):
    made = tmp_path / "state"
    assert make_private(made) is None
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    wide = tmp_path / "wide"
    wide.mkdir(mode=0o755)
    wide.chmod(0o755)
    assert make_private(wide) == 0o755
    assert stat.S_IMODE(wide.stat().st_mode) == 0o700


def test_a_checkpoint_file_is_readable_by_its_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask: files 0644 unless made otherwise
    try:
        path = tmp_path / "checkpoint"
        asyncio.run(write_checkpoint(path, {"a": 1}, [b"x"]))
    finally:
        os.umask(old)
    written = list(tmp_path.iterdir())
    assert written
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}
