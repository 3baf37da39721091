"""The reporting chain (Decree 493 art. 9–10; contract §8): which levels must receive and
pass on an incident's report, by when, and whether they did. Pure: a function of an
incident's state, its confirmations and an instant.

The levels an incident requires follow its official grade (the higher of disaster and
threat): 一般 the county and the city; 较大 — and a near miss (较大涉险) — also the
province; 重大 and 特别重大 also the national ministry. The county's step is due a step
after the first report reached the gateway; each higher level's a step after the level
below confirmed, or after the revision that made the level required, whichever is
later. A step is as long as the incident's deadline table says for its grade
(``deadlines.py``: 2 hours by Decree 493; 12 or 4 for a geological hazard), unless the
area sets a stricter one. Exactly at the due time is on time. A retraction closes every
open step, a downgrade the steps no longer required.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safetywatch.accounting.deadlines import TABLES, deadlines_for
from safetywatch.accounting.incident import IncidentState
from safetywatch.events import Grade, StepStatus
from safetywatch.regions import Level

BASE_LEVELS = (Level.COUNTY, Level.CITY)


@dataclass(frozen=True, slots=True)
class ChainRules:
    """How long an overdue step stays visible after its due time; and where an area sets
    a rule stricter than the law, how long every step may take and how often a notable
    incident is followed up (续报). None: the incident's deadline table."""

    step: timedelta | None = None
    follow_up: timedelta | None = None
    hold: timedelta = timedelta(hours=72)

    def step_for(self, state: IncidentState) -> timedelta:
        if self.step is not None:
            return self.step
        return deadlines_for(state.category, state.occurred_at).steps[state.alert_grade].limit

    def follow_up_for(self, state: IncidentState) -> timedelta:
        if self.follow_up is not None:
            return self.follow_up
        return deadlines_for(state.category, state.occurred_at).follow_up.limit

    @property
    def longest(self) -> timedelta:
        """The longest step or follow-up any incident may have."""
        tables = [table for versions in TABLES.values() for table in versions]
        steps = [self.step] if self.step else [d.limit for t in tables for d in t.steps.values()]
        follow_ups = [self.follow_up] if self.follow_up else [t.follow_up.limit for t in tables]
        return max(*steps, *follow_ups)


@dataclass(frozen=True, slots=True)
class Step:
    level: Level
    due_at: datetime | None
    confirmed_at: datetime | None
    unit_id: str | None
    status: StepStatus

    @property
    def overdue(self) -> bool:
        return self.status is StepStatus.OVERDUE


def levels_for(grade: Grade, near_miss: bool) -> tuple[Level, ...]:
    """The levels an incident of this grade (the higher of disaster and threat) must
    reach: the contract's table."""
    if grade.rank >= Grade.SERIOUS.rank:
        return (*BASE_LEVELS, Level.PROVINCE, Level.NATIONAL)
    if grade is Grade.RELATIVELY_SERIOUS or near_miss:
        return (*BASE_LEVELS, Level.PROVINCE)
    return BASE_LEVELS


def required_levels(state: IncidentState) -> tuple[Level, ...]:
    """None for a retracted incident (a retraction closes every step) or for imported
    history (the past is recorded, not chased)."""
    if state.retracted or state.imported:
        return ()
    return levels_for(state.alert_grade, state.near_miss)


def required_since(state: IncidentState, level: Level) -> datetime:
    """When the level became required: the first report for the county and the city;
    for a level above, the first of the revisions since which every revision required
    it (a retraction in between does not restart it: restoring an incident gives no
    new time)."""
    first = state.first_received_at
    if level is Level.PROVINCE:
        return state.province_since or first
    if level is Level.NATIONAL:
        return state.grade_since.get(Grade.SERIOUS, first)
    return first


def _status(due: datetime | None, confirmed: datetime | None, now: datetime) -> StepStatus:
    if confirmed is not None:
        return StepStatus.CONFIRMED if due is None or confirmed <= due else StepStatus.LATE
    if due is None:
        return StepStatus.WAITING
    return StepStatus.OVERDUE if now > due else StepStatus.OPEN


def chain_of(state: IncidentState, rules: ChainRules, now: datetime) -> list[Step]:
    steps: list[Step] = []
    confirmations = state.confirmations
    below: datetime | None = None
    length = rules.step_for(state)
    for index, level in enumerate(required_levels(state)):
        if index == 0:
            start: datetime | None = state.first_received_at
        else:
            start = None if below is None else max(below, required_since(state, level))
        due = None if start is None else start + length
        done = confirmations.get(level)
        confirmed = done.at if done is not None else None
        steps.append(
            Step(
                level, due, confirmed, done.unit_id if done else None, _status(due, confirmed, now)
            )
        )
        below = confirmed
    return steps


def timeliness(state: IncidentState, rules: ChainRules) -> tuple[tuple[Level, bool], ...]:
    """For each confirmed step of the chain, whether it was on time (及时率)."""
    if not state.confirmations:
        return ()
    steps = chain_of(state, rules, state.first_received_at)  # "now" is irrelevant here
    return tuple(
        (step.level, step.status is StepStatus.CONFIRMED)
        for step in steps
        if step.confirmed_at is not None
    )


def expects_follow_up(state: IncidentState) -> bool:
    """A 较大-and-above incident or a near miss that no report called final (and that is
    not imported history)."""
    return (
        not state.retracted
        and not state.imported
        and not state.final
        and (state.alert_grade.rank >= Grade.RELATIVELY_SERIOUS.rank or state.near_miss)
    )


def next_follow_up_due(state: IncidentState, rules: ChainRules) -> datetime | None:
    if not expects_follow_up(state):
        return None
    return (state.last_received_at or state.first_received_at) + rules.follow_up_for(state)
