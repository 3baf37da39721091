"""The shared event model: what field units report and what Kafka stores."""

from safetywatch.events._fast_path import SEPARATOR as FAST_PATH_SEPARATOR
from safetywatch.events._fast_path import StoredRecord, decode_fast, fast_struct, joined_pattern
from safetywatch.events._report import (
    CLOCK_SKEW_ALLOWANCE,
    EARLIEST_MOMENT,
    INCIDENT_ID_PATTERN,
    LATEST_MOMENT,
    MAX_REVISION,
    SCHEMA_VERSION,
    Category,
    IncidentRecord,
    IncidentReport,
    Location,
    ReportContext,
)

__all__ = [
    "CLOCK_SKEW_ALLOWANCE",
    "EARLIEST_MOMENT",
    "FAST_PATH_SEPARATOR",
    "INCIDENT_ID_PATTERN",
    "LATEST_MOMENT",
    "MAX_REVISION",
    "SCHEMA_VERSION",
    "Category",
    "IncidentRecord",
    "IncidentReport",
    "Location",
    "ReportContext",
    "StoredRecord",
    "decode_fast",
    "fast_struct",
    "joined_pattern",
]
