"""Turn one Kafka record into an IncidentRecord, or say exactly why it is not one."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from pydantic import ValidationError

from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.fast_path import decode_fast, is_fast_record
from safetywatch.events.report import IncidentRecord
from safetywatch.events.stored_record import StoredRecord

Decoded = TypeVar("Decoded", StoredRecord, ConfirmationRecord)

#: The gateway refuses bodies over 64 KiB; stamping adds a few hundred bytes.
MAX_RECORD_BYTES = 256 * 1024


class InvalidReason(StrEnum):
    EMPTY = "empty"
    OVERSIZED = "oversized"
    NOT_UTF8 = "not_utf8"
    NOT_JSON = "not_json"
    NOT_A_REPORT = "not_a_report"
    KEY_MISMATCH = "key_mismatch"
    #: Valid by the model, yet decoding or applying it failed: a defect, isolated so
    #: that one record can never stop the count.
    UNAPPLICABLE = "unapplicable"


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: InvalidReason
    detail: str


def decode_record(
    key: bytes | None, value: bytes | None
) -> StoredRecord | ConfirmationRecord | Rejection:
    """A report (the fast path first), a confirmation of the reporting chain, or why it
    is neither."""
    if not value:
        return Rejection(InvalidReason.EMPTY, "record has no value")
    if len(value) > MAX_RECORD_BYTES:
        return Rejection(InvalidReason.OVERSIZED, f"{len(value)} bytes > {MAX_RECORD_BYTES}")
    record = decode_fast(value)
    if record is not None:
        return _key_checked(key, record)
    if b'"confirmation"' in value:  # cheap: the slow paths are for the rare record
        confirmation = _confirmation(key, value)
        if confirmation is not None:
            return confirmation
    return _decode_validated(key, value)


def passes_fast_path(key: bytes | None, value: bytes | None) -> bool:
    """Whether ``decode_record`` takes this record whole from the fast path: what the
    replay's reader process vouches for, so that this one may decode it with
    ``decode_checked``, without the checks."""
    return is_fast_record(decode_record(key, value))


def _confirmation(key: bytes | None, value: bytes) -> ConfirmationRecord | Rejection | None:
    try:
        confirmation = ConfirmationRecord.model_validate_json(value)
    except ValidationError:
        return None  # not a confirmation: the report's verdict says what it is
    return _key_checked(key, confirmation)


def _decode_validated(key: bytes | None, value: bytes) -> StoredRecord | Rejection:
    """pydantic's verdict, for what the fast path did not accept."""
    try:
        record = IncidentRecord.model_validate_json(value)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            # Told apart only on this rare path: decoding every good record cost a copy.
            try:
                value.decode("utf-8")
            except UnicodeDecodeError as undecodable:
                return Rejection(InvalidReason.NOT_UTF8, str(undecodable))
            return Rejection(InvalidReason.NOT_JSON, problems[0]["msg"])
        detail = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc']) or 'body'}: {problem['msg']}"
            for problem in problems[:5]
        )
        return Rejection(InvalidReason.NOT_A_REPORT, detail)
    return _key_checked(key, record)


def _key_checked(key: bytes | None, record: Decoded) -> Decoded | Rejection:
    if key != record.incident_id.encode():
        shown = key.decode("utf-8", "replace") if key is not None else None
        return Rejection(
            InvalidReason.KEY_MISMATCH,
            f"key {shown!r} differs from incident_id {record.incident_id!r}",
        )
    return record
