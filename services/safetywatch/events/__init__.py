"""The shared event model: what field units report and what Kafka stores, and the
categories of the national statistics."""

from safetywatch.events._categories import (
    CATEGORY_GROUPS,
    CATEGORY_NAMES,
    CATEGORY_ORDER,
    FIRE_CATEGORIES,
    GROUP_CATEGORIES,
    GROUP_NAMES,
    ORIGINAL_CATEGORIES,
    Category,
    Group,
    Names,
    is_work_safety,
)
from safetywatch.events._confirmation import Confirmation, ConfirmationRecord
from safetywatch.events._decode import (
    MAX_RECORD_BYTES,
    InvalidReason,
    Rejection,
    decode_record,
    passes_fast_path,
)
from safetywatch.events._fast_path import SEPARATOR as FAST_PATH_SEPARATOR
from safetywatch.events._fast_path import (
    decode_checked,
    decode_fast,
    fast_struct,
    is_fast_record,
    joined_pattern,
)
from safetywatch.events._report import (
    CLOCK_SKEW_ALLOWANCE,
    EARLIEST_MOMENT,
    INCIDENT_ID_PATTERN,
    LATEST_MOMENT,
    MAX_REVISION,
    IncidentRecord,
    IncidentReport,
    Location,
    ReportContext,
)
from safetywatch.events._schemas import REPORT_SCHEMA_NAME, schema_document, schema_documents
from safetywatch.events._stored_record import StoredRecord
from safetywatch.events._wire import SCHEMA_VERSION

__all__ = [
    "CATEGORY_GROUPS",
    "CATEGORY_NAMES",
    "CATEGORY_ORDER",
    "CLOCK_SKEW_ALLOWANCE",
    "EARLIEST_MOMENT",
    "FAST_PATH_SEPARATOR",
    "FIRE_CATEGORIES",
    "GROUP_CATEGORIES",
    "GROUP_NAMES",
    "INCIDENT_ID_PATTERN",
    "LATEST_MOMENT",
    "MAX_RECORD_BYTES",
    "MAX_REVISION",
    "ORIGINAL_CATEGORIES",
    "REPORT_SCHEMA_NAME",
    "SCHEMA_VERSION",
    "Category",
    "Confirmation",
    "ConfirmationRecord",
    "Group",
    "IncidentRecord",
    "IncidentReport",
    "InvalidReason",
    "Location",
    "Names",
    "Rejection",
    "ReportContext",
    "StoredRecord",
    "decode_checked",
    "decode_fast",
    "decode_record",
    "fast_struct",
    "is_fast_record",
    "is_work_safety",
    "joined_pattern",
    "passes_fast_path",
    "schema_document",
    "schema_documents",
]
