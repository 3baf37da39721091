"""Pure accounting rules (docs/contract.md §3, §7): periods, grades, latest-revision-wins
counts by month, summaries and comparisons, bulletins.

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
from safetywatch.accounting._periods import (
    ALL_TIME,
    INDEXED_YEARS,
    Period,
    PeriodKind,
    Quarter,
    month_by_conversion,
    month_index,
    month_label,
    month_of,
    month_start,
    quarter_by_conversion,
    quarter_of,
    recent_quarters,
)
from safetywatch.accounting._policy import (
    LATE_REPORT_AFTER,
    NEAR_MISS_EVACUATED,
    NEAR_MISS_MISSING,
    NEAR_MISS_TRAPPED,
    SHORT_SUPPLEMENT_WINDOW,
    SUPPLEMENT_WINDOW,
    casualty_figures,
    grading_figures_of,
    in_supplement_window,
    is_late_supplement,
    is_near_miss,
    supplement_window,
)
from safetywatch.accounting._records import MemoryRecordStore, RecordStore
from safetywatch.accounting._register import (
    BadCursor,
    RegisterFilter,
    encode_cursor,
    matching,
    page,
)
from safetywatch.accounting._summary import Summary, change_percent, comparison, summary_document
from safetywatch.accounting._totals import FIGURE_NAMES, Totals, yuan_to_fen

__all__ = [
    "ALL_TIME",
    "FIGURE_NAMES",
    "GRADING_TABLE",
    "INDEXED_YEARS",
    "LATE_REPORT_AFTER",
    "NEAR_MISS_EVACUATED",
    "NEAR_MISS_MISSING",
    "NEAR_MISS_TRAPPED",
    "SHORT_SUPPLEMENT_WINDOW",
    "SUPPLEMENT_WINDOW",
    "BadCursor",
    "Grade",
    "GradingFigures",
    "IncidentState",
    "Language",
    "Ledger",
    "MemoryRecordStore",
    "Outcome",
    "Period",
    "PeriodKind",
    "Quarter",
    "RecordStore",
    "RegisterFilter",
    "Summary",
    "Thresholds",
    "Totals",
    "ascending_bounds",
    "bulletin_text",
    "casualty_figures",
    "change_percent",
    "comparison",
    "encode_cursor",
    "grade_for",
    "grading_figures_of",
    "in_supplement_window",
    "is_late_supplement",
    "is_near_miss",
    "matching",
    "month_by_conversion",
    "month_index",
    "month_label",
    "month_of",
    "month_start",
    "page",
    "quarter_by_conversion",
    "quarter_of",
    "recent_quarters",
    "summary_document",
    "supplement_window",
    "yuan_to_fen",
]
