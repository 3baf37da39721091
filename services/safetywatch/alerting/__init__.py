"""Threshold alerts: rule definitions and their pure evaluation against the ledger."""

from safetywatch.alerting._chain_alerts import (
    MAX_OVERDUE_STEPS,
    ChainReport,
    LateStep,
    chain_report,
)
from safetywatch.alerting._evaluate import evaluate
from safetywatch.alerting._rules import (
    ClusterRule,
    ControlTargetRule,
    GradeRule,
    LateReportRule,
    QuarterlyCountRule,
    Rule,
    YearOverYearRule,
)
from safetywatch.alerting._states import AlertState, IncidentFacts

__all__ = [
    "MAX_OVERDUE_STEPS",
    "AlertState",
    "ChainReport",
    "ClusterRule",
    "ControlTargetRule",
    "GradeRule",
    "IncidentFacts",
    "LateReportRule",
    "LateStep",
    "QuarterlyCountRule",
    "Rule",
    "YearOverYearRule",
    "chain_report",
    "evaluate",
]
