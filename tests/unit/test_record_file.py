"""The aggregator's record file gives back exactly what it was given, and leaves nothing."""

from __future__ import annotations

import os

import pytest

from safetywatch.aggregator._record_file import RecordFile


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
