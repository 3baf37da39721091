"""The shared event model: what field units report and what Kafka stores."""

from safetywatch.events._fast_path import StoredRecord, decode_fast
from safetywatch.events._report import (
    CLOCK_SKEW_ALLOWANCE,
    INCIDENT_ID_PATTERN,
    SCHEMA_VERSION,
    Category,
    IncidentRecord,
    IncidentReport,
    Location,
    ReportContext,
    is_incident_id,
)
from safetywatch.events._schemas import schema_documents

__all__ = [
    "CLOCK_SKEW_ALLOWANCE",
    "INCIDENT_ID_PATTERN",
    "SCHEMA_VERSION",
    "Category",
    "IncidentRecord",
    "IncidentReport",
    "Location",
    "ReportContext",
    "StoredRecord",
    "decode_fast",
    "is_incident_id",
    "schema_documents",
]
