"""The aggregator's record file gives back exactly what it was given, and leaves nothing."""

from __future__ import annotations

import os

import pytest

from safetywatch.aggregator.state.record_file import RecordFile


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
from safetywatch.aggregator.state.record_file import RecordFile
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
