"""Pure accounting rules (docs/contract.md §3): quarters, grades, latest-revision-wins counts, bulletins.

Nothing here does I/O or reads a clock; the aggregator feeds it records in log order.
"""

from safetywatch.accounting._bulletin import Language, bulletin_text
from safetywatch.accounting._grading import (
    GRADING_TABLE,
    Grade,
    GradingFigures,
    Thresholds,
    ascending_bounds,
    grade_for,
)
from safetywatch.accounting._incident import IncidentState, Outcome
from safetywatch.accounting._ledger import Ledger
from safetywatch.accounting._policy import (
    LATE_REPORT_AFTER,
    NEAR_MISS_EVACUATED,
    NEAR_MISS_MISSING,
    NEAR_MISS_TRAPPED,
    SHORT_SUPPLEMENT_WINDOW,
    SUPPLEMENT_WINDOW,
    casualty_figures,
    grading_figures_of,
    is_late_supplement,
    is_near_miss,
    supplement_window,
)
from safetywatch.accounting._quarters import (
    INDEXED_YEARS,
    Quarter,
    quarter_by_conversion,
    quarter_of,
    recent_quarters,
)
from safetywatch.accounting._records import MemoryRecordStore, RecordStore
from safetywatch.accounting._summary import Summary
from safetywatch.accounting._totals import Totals, yuan_to_fen

__all__ = [
    "GRADING_TABLE",
    "INDEXED_YEARS",
    "LATE_REPORT_AFTER",
    "NEAR_MISS_EVACUATED",
    "NEAR_MISS_MISSING",
    "NEAR_MISS_TRAPPED",
    "SHORT_SUPPLEMENT_WINDOW",
    "SUPPLEMENT_WINDOW",
    "Grade",
    "GradingFigures",
    "IncidentState",
    "Language",
    "Ledger",
    "MemoryRecordStore",
    "Outcome",
    "Quarter",
    "RecordStore",
    "Summary",
    "Thresholds",
    "Totals",
    "ascending_bounds",
    "bulletin_text",
    "casualty_figures",
    "grade_for",
    "grading_figures_of",
    "is_late_supplement",
    "is_near_miss",
    "quarter_by_conversion",
    "quarter_of",
    "recent_quarters",
    "supplement_window",
    "yuan_to_fen",
]
