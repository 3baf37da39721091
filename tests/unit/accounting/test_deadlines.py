"""Deadlines by the rules of the incident's kind (docs/deadlines.md): Decree 493's hour
and 2-hour steps for work safety, the geological plan's 12 and 4 hours, the natural
disaster statistics' 2-hour first report; an area's stricter rule replaces them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safetywatch.accounting.chain import ChainRules, chain_of, next_follow_up_due
from safetywatch.accounting.deadlines import TABLES, Rules, deadlines_for, first_report_limit
from safetywatch.accounting.ledger import Ledger
from safetywatch.events.categories import Category
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.documents import StepStatus
from safetywatch.events.grades import Grade
from safetywatch.events.report import IncidentRecord
from safetywatch.regions.levels import Level
from tests.reports import RECEIVED, record

ZONE = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
S = timedelta(seconds=1)


def ledger_of(
    *records: IncidentRecord | ConfirmationRecord, rules: ChainRules | None = None
) -> Ledger:
    ledger = Ledger(ZONE, chain=rules or ChainRules())
    for item in records:
        if isinstance(item, ConfirmationRecord):
            ledger.apply_confirmation(item)
        else:
            ledger.apply(item)
    return ledger


def slide(incident_id: str = "520204-G1", **fields: Any) -> IncidentRecord:
    occurred = RECEIVED - 30 * timedelta(minutes=1)
    return record(
        incident_id,
        category="geological_hazard",
        occurred_at=occurred.isoformat(),
        received_at=RECEIVED,
        **fields,
    )


def confirm(level: Level, at: datetime, incident_id: str = "520204-G1") -> ConfirmationRecord:
    return ConfirmationRecord(
        level=level, incident_id=incident_id, unit_id=f"{level}-office", received_at=at
    )


def test_a_medium_geological_disaster_has_12_hours_a_step():
    # 3 dead: 中型 (Decree 394 art. 4), so the county, the city and the province.
    ledger = ledger_of(slide(deaths=3), confirm(Level.COUNTY, RECEIVED + 5 * H))
    state = ledger.incident("520204-G1")
    assert state is not None
    assert state.grade is Grade.RELATIVELY_SERIOUS
    chain = chain_of(state, ledger.chain, RECEIVED + 12 * H)
    assert [(s.level, s.due_at) for s in chain] == [
        (Level.COUNTY, RECEIVED + 12 * H),
        (Level.CITY, RECEIVED + 17 * H),  # 12 h after the county confirmed
        (Level.PROVINCE, None),
    ]
    assert chain[1].status is StepStatus.OPEN
    assert chain_of(state, ledger.chain, RECEIVED + 17 * H + S)[1].status is StepStatus.OVERDUE


def test_a_large_geological_disaster_has_4_hours_and_an_accident_2():
    large = ledger_of(slide(deaths=10)).incident("520204-G1")
    mine = ledger_of(record("520201-M", category="coal_mine", deaths=10)).incident("520201-M")
    assert large is not None
    assert mine is not None
    assert chain_of(large, ChainRules(), RECEIVED)[0].due_at == RECEIVED + 4 * H
    assert chain_of(mine, ChainRules(), RECEIVED)[0].due_at == mine.first_received_at + 2 * H


def test_a_threat_is_timed_by_its_threat_grade():
    # 1,000 people threatened: 特大型险情, the 4-hour step although nothing happened yet.
    state = ledger_of(slide(threatened_people=1000)).incident("520204-G1")
    assert state is not None
    assert chain_of(state, ChainRules(), RECEIVED)[0].due_at == RECEIVED + 4 * H


@pytest.mark.parametrize(
    ("category", "limit"),
    [
        ("coal_mine", timedelta(hours=1)),
        ("road_traffic", timedelta(hours=1)),
        ("geological_hazard", timedelta(hours=2)),
        ("forest_fire", timedelta(hours=2)),
        ("grassland_fire", timedelta(hours=2)),
    ],
)
def test_a_late_report_is_judged_by_the_first_report_limit_of_its_kind(category, limit):
    def late(after: timedelta) -> bool:
        occurred = RECEIVED - after
        fields: dict[str, Any] = {"burned_area_ha": 0.5} if "fire" in category else {}
        item = record(category=category, occurred_at=occurred.isoformat(), **fields)
        state = ledger_of(item).incident("520201-T1")
        assert state is not None
        return state.late_report

    assert first_report_limit(Category(category), RECEIVED) == limit
    assert not late(limit)
    assert late(limit + S)


def test_an_areas_own_step_and_follow_up_replace_the_tables():
    strict = ChainRules(step=timedelta(minutes=30), follow_up=6 * H)
    ledger = ledger_of(slide(deaths=3), rules=strict)
    state = ledger.incident("520204-G1")
    assert state is not None
    assert chain_of(state, strict, RECEIVED)[0].due_at == RECEIVED + timedelta(minutes=30)
    assert next_follow_up_due(state, strict) == RECEIVED + 6 * H
    assert next_follow_up_due(state, ChainRules()) == RECEIVED + 24 * H


def test_every_table_names_a_source_for_every_limit_and_grade():
    for versions in TABLES.values():
        for table in versions:
            assert set(table.steps) == set(Grade)
            limits = [table.first_report, table.follow_up, *table.steps.values()]
            assert all(d.source and d.limit > timedelta(0) for d in limits)
    assert deadlines_for(Category.FIRE, RECEIVED).rules is Rules.WORK_SAFETY
    assert deadlines_for(Category.FOREST_FIRE, RECEIVED).rules is Rules.FIRE
    assert ChainRules().longest == timedelta(hours=24)
