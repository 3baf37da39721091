"""Evaluate alert rules against the ledger at one instant: pure, no I/O, no clock of its own.

Per-incident alerts hold from the ``received_at`` of the revision that first brought
the incident to the rule's grade (a fact of the log, not of the aggregator's clock),
so replicas agree on them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from safetywatch.accounting import IncidentState, Ledger, Quarter, Totals, quarter_of
from safetywatch.alerting._rules import (
    ClusterRule,
    ControlTargetRule,
    Figure,
    GradeRule,
    LateReportRule,
    QuarterlyCountRule,
    Rule,
    YearOverYearRule,
)
from safetywatch.events import Category
from safetywatch.regions import Area


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What a per-incident alert carries so that a phone screen can say what happened."""

    incident_id: str
    grade: str
    region_name: str
    deaths: int
    missing: int
    serious_injuries: int
    occurred_at: str


@dataclass(frozen=True, slots=True)
class AlertState:
    rule: str
    severity: str
    region: str
    category: str
    active: bool
    value: float
    threshold: float
    incident: IncidentFacts | None = None
    #: True for the one state that stands for a rule's notable incidents in a region
    #: beyond its ``max_incident_alerts``: ``value`` is how many, ``threshold`` the cap.
    overflow: bool = False


def _figure(totals: Totals, figure: Figure) -> float:
    return float(getattr(totals, figure))


def _scoped_regions(scope: str, area: Area) -> list[str]:
    if scope == "each":
        return [region.code for region in area.counties]
    if scope == "area":
        return [area.root.prefix]
    return [scope]


def _figure_in(
    ledger: Ledger, quarter: Quarter, prefix: str, category: str, figure: Figure
) -> float:
    """One figure of one quarter, region prefix and category (or ``all``)."""
    summary = ledger.summary(quarter, prefix)
    totals = summary.totals if category == "all" else summary.by_category[Category(category)]
    return _figure(totals, figure)


def _thresholded(
    rule: str, region: str, category: str, value: float, warn: float, critical: float
) -> Iterator[AlertState]:
    yield AlertState(rule, "warning", region, category, value >= warn, value, warn)
    yield AlertState(rule, "critical", region, category, value >= critical, value, critical)


def evaluate(rules: Sequence[Rule], ledger: Ledger, area: Area, now: datetime) -> list[AlertState]:
    states: list[AlertState] = []
    notable = _notable(rules, ledger, now)
    quarter = quarter_of(now, area.zone)
    for rule in rules:
        if isinstance(rule, GradeRule):
            states.extend(_grade(rule, notable, area, now))
        elif isinstance(rule, LateReportRule):
            states.extend(_late(rule, notable, area, now))
        elif isinstance(rule, QuarterlyCountRule):
            for region in _scoped_regions(rule.scope, area):
                value = _figure_in(ledger, quarter, region, rule.category, rule.figure)
                states.extend(
                    _thresholded(rule.name, region, rule.category, value, rule.warn, rule.critical)
                )
        elif isinstance(rule, ControlTargetRule):
            states.extend(_control(rule, ledger, area, now))
        elif isinstance(rule, YearOverYearRule):
            for region in _scoped_regions(rule.scope, area):
                current = _figure_in(ledger, quarter, region, rule.category, rule.figure)
                before = _figure_in(ledger, quarter.previous(4), region, rule.category, rule.figure)
                threshold = max(
                    before * (1 + rule.min_increase_percent / 100), before + rule.min_increase
                )
                states.append(
                    AlertState(
                        rule.name,
                        rule.severity,
                        region,
                        rule.category,
                        current >= threshold,
                        current,
                        threshold,
                    )
                )
        elif isinstance(rule, ClusterRule):
            states.extend(_cluster(rule, ledger, area, now))
    return states


def _notable(rules: Sequence[Rule], ledger: Ledger, now: datetime) -> list[IncidentState]:
    """Incidents a per-incident rule may still hold an alert for: never the whole ledger."""
    holds = [r.hold_hours for r in rules if isinstance(r, GradeRule | LateReportRule)]
    if not holds:
        return []
    return list(ledger.alerting_since(now - timedelta(hours=max(holds))))


def _facts(state: IncidentState, area: Area) -> IncidentFacts:
    deaths, missing, serious, _ = state.casualties
    return IncidentFacts(
        incident_id=state.incident_id,
        grade=state.grade.value,
        region_name=area.name_of(state.region_code),
        deaths=deaths,
        missing=missing,
        serious_injuries=serious,
        occurred_at=state.occurred_at.isoformat(),
    )


#: A per-incident alert and what ranks it among its rule's alerts in a region: the
#: most severe and then the most recent are the ones shown on their own.
_Ranked = tuple[tuple[int, datetime], AlertState]


def _capped(rule: str, limit: int, ranked: Iterator[_Ranked]) -> Iterator[AlertState]:
    """At most ``limit`` alerts per severity and region; the rest become one overflow
    state carrying their number. A flood of backdated reports then adds a handful of
    series and notifications, not one per incident."""
    groups: dict[tuple[str, str], list[_Ranked]] = {}
    for key, state in ranked:
        groups.setdefault((state.severity, state.region), []).append((key, state))
    for (severity, region), members in sorted(groups.items()):
        members.sort(key=lambda item: item[0], reverse=True)
        yield from (state for _, state in members[:limit])
        beyond = len(members) - limit
        if beyond > 0:
            yield AlertState(
                rule, severity, region, "all", True, float(beyond), float(limit), overflow=True
            )


def _grade(
    rule: GradeRule, incidents: list[IncidentState], area: Area, now: datetime
) -> Iterator[AlertState]:
    hold = timedelta(hours=rule.hold_hours)

    def ranked() -> Iterator[_Ranked]:
        for state in incidents:
            since = state.grade_since.get(rule.min_grade)
            severity = rule.severity
            if since is None and rule.near_misses and state.near_miss_since is not None:
                since, severity = state.near_miss_since, rule.near_miss_severity
            if since is None or now >= since + hold:
                continue  # not alerting, or held long enough: the series goes away
            alert = AlertState(
                rule.name,
                severity,
                state.region_code,
                state.category.value,
                True,
                float(state.grade.rank),
                float(rule.min_grade.rank),
                _facts(state, area),
            )
            yield (state.grade.rank, since), alert

    return _capped(rule.name, rule.max_incident_alerts, ranked())


def _late(
    rule: LateReportRule, incidents: list[IncidentState], area: Area, now: datetime
) -> Iterator[AlertState]:
    hold = timedelta(hours=rule.hold_hours)

    def ranked() -> Iterator[_Ranked]:
        for state in incidents:
            if state.late_report and now < state.first_received_at + hold:
                delay = (state.first_received_at - state.occurred_at).total_seconds() / 3600
                alert = AlertState(
                    rule.name,
                    rule.severity,
                    state.region_code,
                    state.category.value,
                    True,
                    round(delay, 2),
                    1.0,
                    _facts(state, area),
                )
                yield (0, state.first_received_at), alert

    return _capped(rule.name, rule.max_incident_alerts, ranked())


def _control(
    rule: ControlTargetRule, ledger: Ledger, area: Area, now: datetime
) -> Iterator[AlertState]:
    current = quarter_of(now, area.zone)
    year_start = Quarter(current.year, 1).start(area.zone)
    year_end = Quarter(current.year + 1, 1).start(area.zone)
    elapsed = (now - year_start) / (year_end - year_start)
    for region, target in sorted(rule.targets.items()):
        year_to_date = sum(
            _figure_in(ledger, Quarter(current.year, n), region, rule.category, rule.figure)
            for n in range(1, current.number + 1)
        )
        yield from _thresholded(
            rule.name, region, rule.category, year_to_date, rule.warn_share * target, target
        )
        pace = target * elapsed
        yield AlertState(
            f"{rule.name}_pace",
            "warning",
            region,
            rule.category,
            year_to_date > pace,
            year_to_date,
            round(pace, 3),
        )


def _cluster(rule: ClusterRule, ledger: Ledger, area: Area, now: datetime) -> Iterator[AlertState]:
    start = now - timedelta(days=rule.window_days)
    counts: dict[str, int] = {}
    for state in ledger.occurred_between(start, now):
        if state.category is rule.category and not state.retracted:
            counts[state.region_code] = counts.get(state.region_code, 0) + 1
    for region in _scoped_regions(rule.scope, area):
        value = sum(n for code, n in counts.items() if code.startswith(region))
        yield AlertState(
            rule.name,
            rule.severity,
            region,
            rule.category.value,
            value >= rule.count,
            float(value),
            float(rule.count),
        )
