"""Pure accounting rules (SPEC §3): quarters, grades, latest-revision-wins counts, bulletins.

Nothing here does I/O or reads a clock; the aggregator feeds it records in log order.
"""

from safetywatch.accounting._bulletin import Language, bulletin_text
from safetywatch.accounting._grading import GRADING_TABLE, Grade, Severity, Thresholds, grade_for
from safetywatch.accounting._ledger import (
    LATE_REPORT_AFTER,
    NEAR_MISS_EVACUATED,
    NEAR_MISS_MISSING,
    NEAR_MISS_TRAPPED,
    SHORT_SUPPLEMENT_WINDOW,
    SUPPLEMENT_WINDOW,
    IncidentState,
    Ledger,
    Outcome,
    Summary,
    casualty_figures,
    is_late_supplement,
    is_near_miss,
    severity_of,
    supplement_window,
)
from safetywatch.accounting._quarters import Quarter, quarter_of, recent_quarters
from safetywatch.accounting._records import MemoryRecordStore, RecordStore
from safetywatch.accounting._totals import Totals, yuan_to_fen

__all__ = [
    "GRADING_TABLE",
    "LATE_REPORT_AFTER",
    "NEAR_MISS_EVACUATED",
    "NEAR_MISS_MISSING",
    "NEAR_MISS_TRAPPED",
    "SHORT_SUPPLEMENT_WINDOW",
    "SUPPLEMENT_WINDOW",
    "Grade",
    "IncidentState",
    "Language",
    "Ledger",
    "MemoryRecordStore",
    "Outcome",
    "Quarter",
    "RecordStore",
    "Severity",
    "Summary",
    "Thresholds",
    "Totals",
    "bulletin_text",
    "casualty_figures",
    "grade_for",
    "is_late_supplement",
    "is_near_miss",
    "quarter_of",
    "recent_quarters",
    "severity_of",
    "supplement_window",
    "yuan_to_fen",
]
