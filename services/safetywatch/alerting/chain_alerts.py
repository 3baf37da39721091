"""Escalation of the reporting chain: steps past their due time, and notable incidents
whose follow-up report (续报) is late. Pure: a ledger, an area and an instant.

An overdue step is 1 until its level confirms, then 0 (confirmed late), and goes away
``hold`` after its due time. At most ``limit`` steps per level and region (the area's
series region: a county in a city, a province in the country) are shown on their own, the longest overdue first; the rest are counted in one overflow number, as
the per-incident alerts are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from safetywatch.accounting import (
    ChainRules,
    IncidentState,
    Ledger,
    chain_of,
    grade_term,
    next_follow_up_due,
)
from safetywatch.events import CATEGORY_NAMES, StepStatus
from safetywatch.regions import Area, Level

#: Overdue steps shown on their own per level and region.
MAX_OVERDUE_STEPS = 20


@dataclass(frozen=True, slots=True)
class LateStep:
    """A step of the chain (or a follow-up) past its due time."""

    incident_id: str
    region: str
    region_name: str
    category: str
    category_name: str
    grade: str
    grade_name: str
    level: Level
    due_at: datetime
    #: 1 while not confirmed, 0 once confirmed late.
    value: int
    seconds_late: float
    region_name_en: str = ""


@dataclass(frozen=True, slots=True)
class ChainReport:
    steps: list[LateStep]
    follow_ups: list[LateStep]
    #: (level, region) → overdue steps beyond the ones shown.
    overflow: dict[tuple[Level, str], int]


def _late_step(
    state: IncidentState, area: Area, level: Level, due: datetime, value: int, until: datetime
) -> LateStep:
    """``until``: now while the step is open, when it was confirmed once it was."""
    grade = state.alert_grade
    return LateStep(
        state.incident_id,
        state.region_code,
        area.name_of(state.region_code),
        state.category.value,
        CATEGORY_NAMES[state.category].zh,
        grade.value,
        grade_term(state.category, grade, threat=state.is_threat)[0],
        level,
        due,
        value,
        max(0.0, (until - due).total_seconds()),
        area.place_for(state.region_code).en,
    )


def _steps(
    state: IncidentState, area: Area, rules: ChainRules, now: datetime
) -> Iterator[LateStep]:
    if not state.confirmations and now <= state.first_received_at + rules.step_for(state):
        return  # the county's step is the first that can be late, and it is not yet
    for step in chain_of(state, rules, now):
        due = step.due_at
        if due is None or now > due + rules.hold:
            continue
        if step.status is StepStatus.OVERDUE:
            yield _late_step(state, area, step.level, due, 1, now)
        elif step.status is StepStatus.LATE and step.confirmed_at is not None:
            yield _late_step(state, area, step.level, due, 0, step.confirmed_at)


def _capped(
    steps: list[LateStep], limit: int, area: Area
) -> tuple[list[LateStep], dict[tuple[Level, str], int]]:
    groups: dict[tuple[Level, str], list[LateStep]] = {}
    for step in steps:
        groups.setdefault((step.level, area.series_region(step.region)), []).append(step)
    shown: list[LateStep] = []
    overflow: dict[tuple[Level, str], int] = {}
    for key, members in sorted(groups.items()):
        members.sort(key=lambda s: (-s.value, s.due_at, s.incident_id))
        shown += members[:limit]
        if len(members) > limit:
            overflow[key] = len(members) - limit
    return shown, overflow


def chain_report(
    ledger: Ledger, area: Area, now: datetime, limit: int = MAX_OVERDUE_STEPS
) -> ChainReport:
    rules = ledger.chain
    # A step is due a step after the event that started it (a report, a confirmation,
    # a revision that raised the grade): older events cannot hold a step still shown.
    recent = list(ledger.touched_since(now - rules.hold - rules.longest))
    steps, overflow = _capped(
        [s for state in recent for s in _steps(state, area, rules, now)], limit, area
    )
    follow_ups = []
    for state in recent:
        due = next_follow_up_due(state, rules)
        if due is not None and due < now <= due + rules.hold:
            level = state.rare.unit_level or Level.COUNTY
            follow_ups.append(_late_step(state, area, level, due, 1, now))
    return ChainReport(steps, _capped(follow_ups, limit, area)[0], overflow)
