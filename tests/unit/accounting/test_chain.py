"""The reporting chain at its boundaries (contract §8): exactly at the due time is on
time, a grade rising mid-chain adds a level from that revision, confirmations in any
order, a retraction or downgrade closes open steps, follow-ups (续报) fall due."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safetywatch.accounting.chain import (
    ChainRules,
    chain_of,
    levels_for,
    next_follow_up_due,
)
from safetywatch.accounting.incident import Outcome
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.alerting.chain_alerts import chain_report
from safetywatch.config.area import load_area
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.documents import StepStatus
from safetywatch.events.grades import Grade as G
from safetywatch.regions.levels import Level
from tests.reports import RECEIVED, record

ZONE = ZoneInfo("Asia/Shanghai")
RULES = ChainRules()
AREA = load_area()
H = timedelta(hours=1)
S = timedelta(seconds=1)
ID = "520201-C1"
Q1 = Period.of_quarter(Quarter(2022, 1))


def confirm(
    level: Level, at: datetime, unit: str = "", incident_id: str = ID
) -> ConfirmationRecord:
    return ConfirmationRecord(
        level=level,
        incident_id=incident_id,
        unit_id=unit or f"{level.value}-office",
        received_at=at,
    )


def steps(ledger: Ledger, now: datetime, incident_id: str = ID) -> list[tuple[Level, StepStatus]]:
    state = ledger.incident(incident_id)
    assert state is not None
    return [(step.level, step.status) for step in chain_of(state, RULES, now)]


def due(ledger: Ledger, level: Level, incident_id: str = ID) -> datetime | None:
    state = ledger.incident(incident_id)
    assert state is not None
    return next(s.due_at for s in chain_of(state, RULES, RECEIVED) if s.level is level)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(ZONE)


@pytest.mark.parametrize(
    ("grade", "near_miss", "expected"),
    [
        (G.ORDINARY, False, (Level.COUNTY, Level.CITY)),
        (G.ORDINARY, True, (Level.COUNTY, Level.CITY, Level.PROVINCE)),
        (G.RELATIVELY_SERIOUS, False, (Level.COUNTY, Level.CITY, Level.PROVINCE)),
        (G.SERIOUS, False, tuple(Level)),
        (G.PARTICULARLY_SERIOUS, True, tuple(Level)),
    ],
)
def test_the_grade_decides_the_levels(grade, near_miss, expected):
    assert levels_for(grade, near_miss) == expected


def test_the_county_is_due_two_hours_after_the_first_report_and_exactly_then_is_on_time(ledger):
    ledger.apply(record(ID, deaths=1, received_at=RECEIVED))
    assert due(ledger, Level.COUNTY) == RECEIVED + 2 * H
    assert steps(ledger, RECEIVED + 2 * H) == [
        (Level.COUNTY, StepStatus.OPEN),
        (Level.CITY, StepStatus.WAITING),
    ]
    assert steps(ledger, RECEIVED + 2 * H + S)[0] == (Level.COUNTY, StepStatus.OVERDUE)
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + 2 * H))
    assert steps(ledger, RECEIVED + 9 * H)[0] == (Level.COUNTY, StepStatus.CONFIRMED)
    assert due(ledger, Level.CITY) == RECEIVED + 4 * H


def test_a_confirmation_a_second_late_is_late_and_counted_so(ledger):
    ledger.apply(record(ID, received_at=RECEIVED))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + 2 * H + S))
    ledger.apply_confirmation(confirm(Level.CITY, RECEIVED + 4 * H + S))  # 2 h after county
    assert steps(ledger, RECEIVED + 9 * H) == [
        (Level.COUNTY, StepStatus.LATE),
        (Level.CITY, StepStatus.CONFIRMED),
    ]
    assert ledger.timeliness(Q1) == {
        ("520201", Level.COUNTY, False): 1,
        ("520201", Level.CITY, True): 1,
    }


def test_a_later_revision_does_not_move_the_county_deadline(ledger):
    ledger.apply(record(ID, revision=1, received_at=RECEIVED))
    ledger.apply(record(ID, revision=2, deaths=1, received_at=RECEIVED + H))
    assert due(ledger, Level.COUNTY) == RECEIVED + 2 * H


def test_a_grade_rising_mid_chain_adds_the_province_from_that_revision(ledger):
    ledger.apply(record(ID, revision=1, deaths=1, received_at=RECEIVED))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + 30 * 60 * S))
    ledger.apply_confirmation(confirm(Level.CITY, RECEIVED + H))
    assert [level for level, _ in steps(ledger, RECEIVED)] == [Level.COUNTY, Level.CITY]
    # 补报: the toll rises to 3 five hours in: 较大, the province is now required, due
    # 2 h after that revision (the city confirmed earlier).
    ledger.apply(record(ID, revision=2, deaths=3, received_at=RECEIVED + 5 * H))
    assert due(ledger, Level.PROVINCE) == RECEIVED + 7 * H
    assert steps(ledger, RECEIVED + 7 * H)[-1] == (Level.PROVINCE, StepStatus.OPEN)
    assert steps(ledger, RECEIVED + 7 * H + S)[-1] == (Level.PROVINCE, StepStatus.OVERDUE)


def test_a_level_required_from_the_start_runs_from_the_confirmation_below(ledger):
    ledger.apply(record(ID, deaths=3, received_at=RECEIVED))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + H))
    ledger.apply_confirmation(confirm(Level.CITY, RECEIVED + 2 * H))
    assert due(ledger, Level.PROVINCE) == RECEIVED + 4 * H


def test_a_level_stays_required_through_revisions_that_keep_requiring_it(ledger):
    # A near miss, then 较大 without the near miss, then both: the province has been
    # required since the first revision, whatever the reason.
    ledger.apply(record(ID, revision=1, trapped=3, received_at=RECEIVED))
    ledger.apply(record(ID, revision=2, deaths=3, received_at=RECEIVED + H))
    ledger.apply(record(ID, revision=3, deaths=3, trapped=3, received_at=RECEIVED + 2 * H))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED))
    ledger.apply_confirmation(confirm(Level.CITY, RECEIVED))
    assert due(ledger, Level.PROVINCE) == RECEIVED + 2 * H


def test_a_downgrade_closes_the_steps_no_longer_required_and_a_new_rise_restarts_them(ledger):
    ledger.apply(record(ID, revision=1, deaths=3, received_at=RECEIVED))
    ledger.apply(record(ID, revision=2, deaths=2, received_at=RECEIVED + H))
    assert [level for level, _ in steps(ledger, RECEIVED + 9 * H)] == [Level.COUNTY, Level.CITY]
    ledger.apply(record(ID, revision=3, deaths=3, received_at=RECEIVED + 3 * H))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED))
    ledger.apply_confirmation(confirm(Level.CITY, RECEIVED))
    assert due(ledger, Level.PROVINCE) == RECEIVED + 5 * H


def test_confirmations_out_of_order_keep_the_chain_consistent(ledger):
    ledger.apply(record(ID, deaths=3, received_at=RECEIVED))
    # The province first, then the city, then the county: each is on time against a due
    # time counted from the level below, which confirmed after it.
    ledger.apply_confirmation(confirm(Level.PROVINCE, RECEIVED + H))
    ledger.apply_confirmation(confirm(Level.CITY, RECEIVED + H))
    assert steps(ledger, RECEIVED + H) == [
        (Level.COUNTY, StepStatus.OPEN),
        (Level.CITY, StepStatus.CONFIRMED),
        (Level.PROVINCE, StepStatus.CONFIRMED),
    ]
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + 3 * H))
    assert [status for _, status in steps(ledger, RECEIVED + 9 * H)] == [
        StepStatus.LATE,
        StepStatus.CONFIRMED,
        StepStatus.CONFIRMED,
    ]


def test_the_first_confirmation_of_a_level_counts_and_a_repeat_changes_nothing(ledger):
    ledger.apply(record(ID, received_at=RECEIVED))
    first = confirm(Level.COUNTY, RECEIVED + H, unit="county-a")
    assert ledger.apply_confirmation(first) is Outcome.APPLIED
    assert ledger.apply_confirmation(first) is Outcome.DUPLICATE
    again = confirm(Level.COUNTY, RECEIVED + 3 * H, unit="county-b")
    assert ledger.apply_confirmation(again) is Outcome.DUPLICATE
    state = ledger.incident(ID)
    assert state is not None
    assert state.confirmations[Level.COUNTY].unit_id == "county-a"
    assert ledger.timeliness(Q1) == {("520201", Level.COUNTY, True): 1}


def test_a_confirmation_read_before_its_report_is_kept_until_the_report_arrives(ledger):
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + H, unit="first"))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + H, unit="second"))
    ledger.apply(record(ID, received_at=RECEIVED))
    state = ledger.incident(ID)
    assert state is not None
    assert state.confirmations[Level.COUNTY].unit_id == "first"
    assert ledger.timeliness(Q1) == {("520201", Level.COUNTY, True): 1}


def test_a_retraction_mid_chain_closes_every_step_and_withdraws_its_counts(ledger):
    ledger.apply(record(ID, revision=1, deaths=3, received_at=RECEIVED))
    ledger.apply_confirmation(confirm(Level.COUNTY, RECEIVED + H))
    ledger.apply(record(ID, revision=2, retracted=True, received_at=RECEIVED + 2 * H))
    assert steps(ledger, RECEIVED + 9 * H) == []
    assert ledger.timeliness(Q1) == {}
    assert chain_report(ledger, AREA, RECEIVED + 9 * H).steps == []


def test_notable_incidents_expect_a_follow_up_until_one_is_final(ledger):
    ledger.apply(record(ID, revision=1, deaths=3, received_at=RECEIVED))
    state = ledger.incident(ID)
    assert state is not None
    assert next_follow_up_due(state, RULES) == RECEIVED + 24 * H
    ledger.apply(record(ID, revision=2, deaths=3, received_at=RECEIVED + 20 * H))
    state = ledger.incident(ID)
    assert state is not None
    assert next_follow_up_due(state, RULES) == RECEIVED + 44 * H
    ledger.apply(record(ID, revision=3, deaths=3, final=True, received_at=RECEIVED + 30 * H))
    state = ledger.incident(ID)
    assert state is not None
    assert next_follow_up_due(state, RULES) is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [({"deaths": 1}, False), ({"trapped": 3}, True), ({"deaths": 10}, True)],
)
def test_ordinary_incidents_need_no_follow_up_near_misses_do(ledger, fields, expected):
    ledger.apply(record(ID, received_at=RECEIVED, **fields))
    state = ledger.incident(ID)
    assert state is not None
    assert (next_follow_up_due(state, RULES) is not None) is expected


def test_a_medium_geological_threat_goes_to_the_province(ledger):
    ledger.apply(
        record(ID, category="geological_hazard", threatened_people=100, received_at=RECEIVED)
    )
    assert [level for level, _ in steps(ledger, RECEIVED)][-1] is Level.PROVINCE


def test_the_report_shows_overdue_steps_until_confirmed_then_zero_until_the_hold_ends(ledger):
    ledger.apply(record(ID, deaths=1, received_at=RECEIVED))
    at_due = RECEIVED + 2 * H
    assert chain_report(ledger, AREA, at_due).steps == []
    late = chain_report(ledger, AREA, at_due + 10 * S).steps
    assert [(s.level, s.value, s.seconds_late) for s in late] == [(Level.COUNTY, 1, 10.0)]
    assert late[0].region_name == AREA.name_of("520201")
    ledger.apply_confirmation(confirm(Level.COUNTY, at_due + H))
    confirmed = chain_report(ledger, AREA, at_due + 2 * H).steps
    assert [(s.level, s.value, s.seconds_late) for s in confirmed] == [(Level.COUNTY, 0, 3600.0)]
    ledger.apply_confirmation(confirm(Level.CITY, at_due + 2 * H))  # on time: 2 h after
    assert len(chain_report(ledger, AREA, at_due + RULES.hold).steps) == 1
    assert chain_report(ledger, AREA, at_due + RULES.hold + S).steps == []


def test_overdue_steps_beyond_the_limit_of_a_level_and_region_are_counted(ledger):
    for n in range(5):
        ledger.apply(record(f"520201-F{n}", received_at=RECEIVED + n * S))
    report = chain_report(ledger, AREA, RECEIVED + 3 * H, limit=3)
    assert [s.incident_id for s in report.steps] == ["520201-F0", "520201-F1", "520201-F2"]
    assert report.overflow == {(Level.COUNTY, "520201"): 2}


def test_a_late_follow_up_is_the_reporting_units_level_to_send(ledger):
    ledger.apply(record(ID, deaths=3, received_at=RECEIVED, unit_id="city-desk", unit_level="city"))
    report = chain_report(ledger, AREA, RECEIVED + 25 * H)
    assert [(s.level, s.seconds_late) for s in report.follow_ups] == [(Level.CITY, 3600.0)]
