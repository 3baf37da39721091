"""Per-incident rules: an incident at or above a grade (or a near miss), a late report.

An alert holds from the ``received_at`` of the revision that first brought the
incident to the rule's grade (a fact of the log, not of the aggregator's clock), so
replicas agree on it; at most ``max_incident_alerts`` per rule, severity and region
alert on their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from safetywatch.accounting import IncidentState, Ledger, grade_term
from safetywatch.alerting.rules import GradeRule, LateReportRule, Rule
from safetywatch.alerting.states import AlertState, IncidentFacts
from safetywatch.events import CATEGORY_NAMES
from safetywatch.regions import Area


def notable(rules: Sequence[Rule], ledger: Ledger, now: datetime) -> list[IncidentState]:
    """Incidents a per-incident rule may still hold an alert for: never the whole ledger,
    never imported history (it pages nobody; period rules still count it)."""
    holds = [r.hold_hours for r in rules if isinstance(r, GradeRule | LateReportRule)]
    if not holds:
        return []
    since = now - timedelta(hours=max(holds))
    return [state for state in ledger.alerting_since(since) if not state.imported]


def _facts(state: IncidentState, area: Area) -> IncidentFacts:
    deaths, missing, serious, _ = state.casualties
    grade = state.alert_grade
    # The threat is what the alert is about when it ranks above the disaster.
    threat = (
        state.threat_grade is not None and grade is state.threat_grade and grade is not state.grade
    )
    zh, en = grade_term(state.category, grade, threat=threat or state.is_threat)
    return IncidentFacts(
        incident_id=state.incident_id,
        grade=grade.value,
        grade_name=zh,
        grade_name_en=en,
        situation="threat" if threat or state.is_threat else "disaster",
        category_name=CATEGORY_NAMES[state.category].zh,
        region_name=area.name_of(state.region_code),
        deaths=deaths,
        missing=missing,
        serious_injuries=serious,
        # As a desk reads it: the area's time, to the minute (2026-12-05T15:43+08:00).
        occurred_at=state.occurred_at.astimezone(area.zone).isoformat(timespec="minutes"),
        category_name_en=CATEGORY_NAMES[state.category].en,
        region_name_en=area.place_for(state.region_code).en,
    )


#: A per-incident alert and what ranks it among its rule's alerts in a region: the
#: most severe and then the most recent are the ones shown on their own.
_Ranked = tuple[tuple[int, datetime], AlertState]


def _capped(rule: str, limit: int, ranked: Iterator[_Ranked], area: Area) -> Iterator[AlertState]:
    """At most ``limit`` alerts per severity and region (the area's series region: a
    county in a city, a province in the country); the rest become one overflow state
    carrying their number. A flood of backdated reports then adds a handful of series
    and notifications, not one per incident."""
    groups: dict[tuple[str, str], list[_Ranked]] = {}
    for key, state in ranked:
        group = (state.severity, area.series_region(state.region))
        groups.setdefault(group, []).append((key, state))
    for (severity, region), members in sorted(groups.items()):
        members.sort(key=lambda item: item[0], reverse=True)
        yield from (state for _, state in members[:limit])
        beyond = len(members) - limit
        if beyond > 0:
            yield AlertState(
                rule, severity, region, "all", True, float(beyond), float(limit), overflow=True
            )


def _alert(
    rule: str, severity: str, state: IncidentState, value: float, threshold: float, area: Area
) -> AlertState:
    category = state.category.value
    return AlertState(
        rule, severity, state.region_code, category, True, value, threshold, _facts(state, area)
    )


def grade_alerts(
    rule: GradeRule, incidents: list[IncidentState], area: Area, now: datetime
) -> Iterator[AlertState]:
    hold = timedelta(hours=rule.hold_hours)

    def ranked() -> Iterator[_Ranked]:
        for state in incidents:
            since = state.grade_since.get(rule.min_grade)  # by the alert grade
            severity = rule.severity
            if since is None and rule.near_misses and state.near_miss_since is not None:
                since, severity = state.near_miss_since, rule.near_miss_severity
            if since is None or now >= since + hold:
                continue  # not alerting, or held long enough: the series goes away
            rank, bound = float(state.alert_grade.rank), float(rule.min_grade.rank)
            yield (
                (state.alert_grade.rank, since),
                _alert(rule.name, severity, state, rank, bound, area),
            )

    return _capped(rule.name, rule.max_incident_alerts, ranked(), area)


def late_alerts(
    rule: LateReportRule, incidents: list[IncidentState], area: Area, now: datetime
) -> Iterator[AlertState]:
    hold = timedelta(hours=rule.hold_hours)

    def ranked() -> Iterator[_Ranked]:
        for state in incidents:
            if state.late_report and now < state.first_received_at + hold:
                hours = (state.first_received_at - state.occurred_at).total_seconds() / 3600
                alert = _alert(rule.name, rule.severity, state, round(hours, 2), 1.0, area)
                yield (0, state.first_received_at), alert

    return _capped(rule.name, rule.max_incident_alerts, ranked(), area)
