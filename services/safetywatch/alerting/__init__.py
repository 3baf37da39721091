"""Threshold alerts: rule definitions and their pure evaluation against the ledger."""

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
