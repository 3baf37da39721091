"""Evaluate alert rules against the ledger at one instant: pure, no I/O, no clock of its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from safetywatch.accounting import IncidentState, Ledger, Targets
from safetywatch.alerting.per_incident import grade_alerts, late_alerts, notable
from safetywatch.alerting.rules import (
    ClusterRule,
    ControlTargetRule,
    GradeRule,
    LateReportRule,
    QuarterlyCountRule,
    Rule,
    YearOverYearRule,
)
from safetywatch.alerting.states import AlertState
from safetywatch.alerting.thresholds import cluster, control_target, counted, year_over_year
from safetywatch.regions import Area


def evaluate(
    rules: Sequence[Rule],
    ledger: Ledger,
    area: Area,
    now: datetime,
    targets: Targets | None = None,
) -> list[AlertState]:
    """Every rule's states; ``targets`` are the area file's control targets."""
    incidents = notable(rules, ledger, now)
    targets = targets or {}
    return [
        state for rule in rules for state in _states(rule, ledger, area, now, incidents, targets)
    ]


def _states(
    rule: Rule,
    ledger: Ledger,
    area: Area,
    now: datetime,
    incidents: list[IncidentState],
    targets: Targets,
) -> Iterator[AlertState]:
    if isinstance(rule, GradeRule):
        return grade_alerts(rule, incidents, area, now)
    if isinstance(rule, LateReportRule):
        return late_alerts(rule, incidents, area, now)
    if isinstance(rule, QuarterlyCountRule):
        return counted(rule, ledger, area, now)
    if isinstance(rule, ControlTargetRule):
        return control_target(rule, ledger, area, now, targets)
    if isinstance(rule, YearOverYearRule):
        return year_over_year(rule, ledger, area, now)
    assert isinstance(rule, ClusterRule)
    return cluster(rule, ledger, area, now)
