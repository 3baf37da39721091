"""Threshold alerts: rule definitions and their pure evaluation against the ledger."""

from safetywatch.alerting._evaluate import AlertState, IncidentFacts, evaluate
from safetywatch.alerting._rules import (
    ClusterRule,
    ControlTargetRule,
    GradeRule,
    LateReportRule,
    QuarterlyCountRule,
    Rule,
    YearOverYearRule,
)

__all__ = [
    "AlertState",
    "ClusterRule",
    "ControlTargetRule",
    "GradeRule",
    "IncidentFacts",
    "LateReportRule",
    "QuarterlyCountRule",
    "Rule",
    "YearOverYearRule",
    "evaluate",
]
