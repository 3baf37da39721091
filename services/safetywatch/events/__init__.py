"""The shared event model: what field units report and what Kafka stores, and the
categories of the national statistics."""

from safetywatch.events.categories import (
    APART_CATEGORIES,
    APART_NAMES,
    CATEGORY_GROUPS,
    CATEGORY_NAMES,
    CATEGORY_ORDER,
    FIRE_CATEGORIES,
    GROUP_CATEGORIES,
    GROUP_NAMES,
    OUTBREAK_NAMES,
    Category,
    Group,
    Names,
    Origin,
    is_work_safety,
)
from safetywatch.events.confirmation import Confirmation, ConfirmationRecord
from safetywatch.events.decode import InvalidReason, Rejection, decode_record, passes_fast_path
from safetywatch.events.documents import (
    ActiveAlert,
    AlertsPage,
    ChainStep,
    IncidentDocument,
    RegisterPage,
    StepStatus,
)
from safetywatch.events.fast_path import decode_checked
from safetywatch.events.grades import Grade
from safetywatch.events.register_table import COLUMNS as REGISTER_COLUMNS
from safetywatch.events.register_table import HEADINGS as REGISTER_HEADINGS
from safetywatch.events.report import (
    EARLIEST_MOMENT,
    INCIDENT_ID_PATTERN,
    LATEST_MOMENT,
    IncidentRecord,
    IncidentReport,
    ReportContext,
    StampedReport,
)
from safetywatch.events.schemas import REPORT_SCHEMA_NAME, schema_documents
from safetywatch.events.spreadsheet import neutralised, restored
from safetywatch.events.stored_record import StoredRecord

__all__ = [
    "APART_CATEGORIES",
    "APART_NAMES",
    "CATEGORY_GROUPS",
    "CATEGORY_NAMES",
    "CATEGORY_ORDER",
    "EARLIEST_MOMENT",
    "FIRE_CATEGORIES",
    "GROUP_CATEGORIES",
    "GROUP_NAMES",
    "INCIDENT_ID_PATTERN",
    "LATEST_MOMENT",
    "OUTBREAK_NAMES",
    "REGISTER_COLUMNS",
    "REGISTER_HEADINGS",
    "REPORT_SCHEMA_NAME",
    "ActiveAlert",
    "AlertsPage",
    "Category",
    "ChainStep",
    "Confirmation",
    "ConfirmationRecord",
    "Grade",
    "Group",
    "IncidentDocument",
    "IncidentRecord",
    "IncidentReport",
    "InvalidReason",
    "Names",
    "Origin",
    "RegisterPage",
    "Rejection",
    "ReportContext",
    "StampedReport",
    "StepStatus",
    "StoredRecord",
    "decode_checked",
    "decode_record",
    "is_work_safety",
    "neutralised",
    "passes_fast_path",
    "restored",
    "schema_documents",
]
