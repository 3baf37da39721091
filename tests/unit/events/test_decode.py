"""Every kind of bad record is recognised, with a reason an operator can act on."""

from __future__ import annotations

import json

import pytest

from safetywatch.events.decode import MAX_RECORD_BYTES, InvalidReason, Rejection, decode_record
from safetywatch.events.report import IncidentRecord
from tests.reports import record

GOOD = record().to_json_bytes()


def test_a_valid_record_decodes():
    decoded = decode_record(b"520201-T1", GOOD)
    assert not isinstance(decoded, Rejection)
    assert decoded.incident_id == "520201-T1"
    assert decoded.received_at == IncidentRecord.model_validate_json(GOOD).received_at


def test_a_record_only_pydantic_accepts_still_decodes():
    # A lowercase "t" is RFC 3339 (and valid) but off the fast path's narrow syntax.
    document = json.loads(GOOD)
    document["received_at"] = document["received_at"].replace("T", "t")
    decoded = decode_record(b"520201-T1", json.dumps(document).encode())
    assert isinstance(decoded, IncidentRecord)
    assert decoded.received_at == IncidentRecord.model_validate_json(GOOD).received_at


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (b"k", None, InvalidReason.EMPTY),
        (b"k", b"", InvalidReason.EMPTY),
        (b"k", b"{" + b" " * MAX_RECORD_BYTES + b"}", InvalidReason.OVERSIZED),
        (b"k", b"\xff\xfe\xfd", InvalidReason.NOT_UTF8),
        (b"k", b"{not json", InvalidReason.NOT_JSON),
        (b"k", b'{"hello": "world"}', InvalidReason.NOT_A_REPORT),
        (b"k", b"[1, 2, 3]", InvalidReason.NOT_A_REPORT),
        (b"520201-OTHER", GOOD, InvalidReason.KEY_MISMATCH),
        (None, GOOD, InvalidReason.KEY_MISMATCH),
    ],
)
def test_bad_records_are_rejected_with_a_reason(key, value, reason):
    decoded = decode_record(key, value)
    assert isinstance(decoded, Rejection)
    assert decoded.reason is reason
    assert decoded.detail


def test_a_report_without_gateway_stamps_is_not_a_record():
    unstamped = json.loads(GOOD)
    del unstamped["received_at"]
    decoded = decode_record(b"520201-T1", json.dumps(unstamped).encode())
    assert isinstance(decoded, Rejection)
    assert decoded.reason is InvalidReason.NOT_A_REPORT
    assert "received_at" in decoded.detail
