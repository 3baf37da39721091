"""Pure accounting rules (docs/contract.md §3, §7): periods, grades, latest-revision-wins
counts by month, summaries and comparisons, bulletins.

Nothing here does I/O or reads a clock; the aggregator feeds it records in log order.
"""

from safetywatch.accounting.bulletin import (
    BulletinFacts,
    Language,
    bulletin_facts,
    bulletin_paragraphs,
    period_en,
    period_zh,
)
from safetywatch.accounting.cells import CellCounts, CellKey, dumped_months, loaded_months
from safetywatch.accounting.chain import ChainRules, chain_of, next_follow_up_due
from safetywatch.accounting.deadlines import TABLES as DEADLINE_TABLES
from safetywatch.accounting.deadlines import Deadline, Deadlines, Rules, rules_of
from safetywatch.accounting.fields import (
    CELL_KEY,
    COUNTS_NOWHERE,
    FIELDS,
    FIGURES,
    Field,
    Figure,
    Kind,
)
from safetywatch.accounting.grade_tables import (
    THREAT_TABLES,
    Criterion,
    GradeTable,
    check_rising,
    grade_term,
    national_tables,
    scale_of,
)
from safetywatch.accounting.grading import Grader
from safetywatch.accounting.incident import IncidentState, Outcome
from safetywatch.accounting.indicators import Indicators
from safetywatch.accounting.layout import (
    LAYOUT,
    PUBLIC_FIGURES,
    ROW,
    Totals,
    figures,
    incident_of,
    row_values,
    state_parts,
)
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import (
    ALL_TIME,
    Period,
    Quarter,
    month_of,
    quarter_of,
    recent_quarters,
)
from safetywatch.accounting.policy import supplement_window_closes, yuan_to_fen
from safetywatch.accounting.rare import COMMON, NO_GRADES, Rare
from safetywatch.accounting.rates import RATES, Denominator, DenominatorKey, RateIndicator
from safetywatch.accounting.record_store import RecordStore
from safetywatch.accounting.register import BadCursor, RegisterFilter, matching, page
from safetywatch.accounting.snapshot import LedgerSnapshot
from safetywatch.accounting.storage import PYTHON_STORAGE, LedgerStorage
from safetywatch.accounting.summary import Summary, change_percent, summary_document
from safetywatch.accounting.table import PIECE_ROWS, ROWS_KIND, ReadsRows, checked_common
from safetywatch.accounting.targets import (
    TargetFigure,
    TargetKey,
    Targets,
    figure_value,
    year_progress,
)

__all__ = [
    "ALL_TIME",
    "CELL_KEY",
    "COMMON",
    "COUNTS_NOWHERE",
    "DEADLINE_TABLES",
    "FIELDS",
    "FIGURES",
    "LAYOUT",
    "NO_GRADES",
    "PIECE_ROWS",
    "PUBLIC_FIGURES",
    "PYTHON_STORAGE",
    "RATES",
    "ROW",
    "ROWS_KIND",
    "THREAT_TABLES",
    "BadCursor",
    "BulletinFacts",
    "CellCounts",
    "CellKey",
    "ChainRules",
    "Criterion",
    "Deadline",
    "Deadlines",
    "Denominator",
    "DenominatorKey",
    "Field",
    "Figure",
    "GradeTable",
    "Grader",
    "IncidentState",
    "Indicators",
    "Kind",
    "Language",
    "Ledger",
    "LedgerSnapshot",
    "LedgerStorage",
    "Outcome",
    "Period",
    "Quarter",
    "Rare",
    "RateIndicator",
    "ReadsRows",
    "RecordStore",
    "RegisterFilter",
    "Rules",
    "Summary",
    "TargetFigure",
    "TargetKey",
    "Targets",
    "Totals",
    "bulletin_facts",
    "bulletin_paragraphs",
    "chain_of",
    "change_percent",
    "check_rising",
    "checked_common",
    "dumped_months",
    "figure_value",
    "figures",
    "grade_term",
    "incident_of",
    "loaded_months",
    "matching",
    "month_of",
    "national_tables",
    "next_follow_up_due",
    "page",
    "period_en",
    "period_zh",
    "quarter_of",
    "recent_quarters",
    "row_values",
    "rules_of",
    "scale_of",
    "state_parts",
    "summary_document",
    "supplement_window_closes",
    "year_progress",
    "yuan_to_fen",
]
