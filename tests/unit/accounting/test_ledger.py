"""Latest revision wins; duplicates, stale revisions and retractions behave as contract §3 says."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safetywatch.accounting.incident import Outcome
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.events.categories import Category
from safetywatch.events.grades import Grade
from tests.reports import RECEIVED, hours_after, record

ZONE = ZoneInfo("Asia/Shanghai")
Q1 = Period.of_quarter(Quarter(2022, 1))


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(ZONE)


def test_a_first_report_is_counted_with_its_grade(ledger):
    assert ledger.apply(record(deaths=5, serious_injuries=3)) is Outcome.APPLIED
    summary = ledger.summary(Q1)
    assert summary.totals.incidents == 1
    assert summary.totals.deaths == 5
    assert summary.by_grade[Grade.RELATIVELY_SERIOUS] == 1
    assert summary.by_category[Category.ROAD_TRAFFIC].serious_injuries == 3


def test_a_higher_revision_replaces_the_contribution_everywhere(ledger):
    ledger.apply(record(revision=1, deaths=2))
    ledger.apply(record(revision=2, deaths=12, category="coal_mine"))
    summary = ledger.summary(Q1)
    assert summary.totals.incidents == 1
    assert summary.totals.deaths == 12
    assert summary.by_category[Category.ROAD_TRAFFIC].incidents == 0
    assert summary.by_category[Category.COAL_MINE].incidents == 1
    assert summary.by_grade == {
        Grade.ORDINARY: 0,
        Grade.RELATIVELY_SERIOUS: 0,
        Grade.SERIOUS: 1,
        Grade.PARTICULARLY_SERIOUS: 0,
    }


def test_revision_order_not_arrival_order_decides(ledger):
    assert ledger.apply(record(revision=3, deaths=7)) is Outcome.APPLIED
    assert ledger.apply(record(revision=1, deaths=1)) is Outcome.STALE
    assert ledger.apply(record(revision=2, deaths=4)) is Outcome.STALE
    assert ledger.summary(Q1).totals.deaths == 7
    state = ledger.incident("520201-T1")
    assert state is not None
    assert ledger.record_of(state).revision == 3


def test_a_repeated_revision_is_a_duplicate_and_changes_nothing(ledger):
    ledger.apply(record(deaths=2))
    retry = record(deaths=2, received_at=hours_after(RECEIVED.isoformat(), 0.1), unit_id="unit-2")
    assert ledger.apply(retry) is Outcome.DUPLICATE
    assert ledger.summary(Q1).totals.incidents == 1
    assert ledger.summary(Q1).totals.deaths == 2


def test_same_revision_with_other_content_is_a_conflict_and_the_first_wins(ledger):
    ledger.apply(record(deaths=2))
    assert ledger.apply(record(deaths=9)) is Outcome.CONFLICT
    state = ledger.incident("520201-T1")
    assert state is not None
    assert state.conflicts == 1
    assert ledger.record_of(state).deaths == 2
    assert ledger.summary(Q1).totals.deaths == 2


def test_a_retracted_incident_counts_nowhere_but_stays_queryable(ledger):
    ledger.apply(record(revision=1, deaths=3))
    ledger.apply(record(revision=2, deaths=3, retracted=True))
    summary = ledger.summary(Q1)
    assert summary.totals.is_zero()
    assert sum(summary.by_grade.values()) == 0
    assert not ledger.cells(Q1)
    state = ledger.incident("520201-T1")
    assert state is not None
    assert ledger.record_of(state).retracted


def test_a_later_revision_can_withdraw_a_retraction(ledger):
    ledger.apply(record(revision=1, deaths=1))
    ledger.apply(record(revision=2, deaths=1, retracted=True))
    ledger.apply(record(revision=3, deaths=1))
    assert ledger.summary(Q1).totals.incidents == 1


def test_a_corrected_occurrence_time_moves_the_incident_between_quarters(ledger):
    received = hours_after("2022-04-01T00:30:00+08:00", 0.5)
    ledger.apply(
        record(revision=1, occurred_at="2022-03-31T23:30:00+08:00", deaths=1, received_at=received)
    )
    assert ledger.summary(Q1).totals.incidents == 1
    ledger.apply(
        record(revision=2, occurred_at="2022-04-01T00:30:00+08:00", deaths=1, received_at=received)
    )
    assert ledger.summary(Q1).totals.incidents == 0
    assert ledger.summary(Period.of_quarter(Quarter(2022, 2))).totals.incidents == 1


def test_losses_add_and_withdraw_exactly(ledger):
    ledger.apply(record(revision=1, direct_loss_yuan=0.1))
    ledger.apply(record("520201-T2", direct_loss_yuan=0.2))
    ledger.apply(record(revision=2, direct_loss_yuan=1234.56))
    assert ledger.summary(Q1).totals.direct_loss_fen == 123456 + 20
    ledger.apply(record(revision=3, direct_loss_yuan=0, retracted=True))
    assert ledger.summary(Q1).totals.direct_loss_yuan == 0.2


def test_first_report_more_than_an_hour_after_occurrence_is_late(ledger):
    occurred = "2022-02-10T08:00:00+08:00"
    ledger.apply(record("520201-L1", occurred_at=occurred, received_at=hours_after(occurred, 1.01)))
    ledger.apply(record("520201-L2", occurred_at=occurred, received_at=hours_after(occurred, 1)))
    late = ledger.incident("520201-L1")
    on_time = ledger.incident("520201-L2")
    assert late is not None
    assert on_time is not None
    assert late.late_report
    assert not on_time.late_report
    assert ledger.summary(Q1).totals.late_reports == 1


def test_lateness_is_judged_on_the_first_report_not_on_supplements(ledger):
    occurred = "2022-02-10T08:00:00+08:00"
    ledger.apply(record(revision=1, occurred_at=occurred, received_at=hours_after(occurred, 0.5)))
    ledger.apply(record(revision=2, occurred_at=occurred, received_at=hours_after(occurred, 30)))
    state = ledger.incident("520201-T1")
    assert state is not None
    assert not state.late_report


@pytest.mark.parametrize(
    ("fields", "near_miss"),
    [
        ({"trapped": 3}, True),
        ({"trapped": 2}, False),
        ({"missing": 3}, True),
        ({"missing": 2}, False),
        ({"evacuated": 500}, True),
        ({"evacuated": 499}, False),
        ({"people_at_risk": 10}, True),
        ({"people_at_risk": 9}, False),
        ({"drinking_water_polluted": True}, True),
        ({"critical_site_endangered": True}, True),
        ({"drinking_water_polluted": False, "critical_site_endangered": False}, False),
    ],
)
def test_near_misses_are_flagged_whatever_the_grade(ledger, fields, near_miss):
    ledger.apply(record(category="geological_hazard", **fields))
    state = ledger.incident("520201-T1")
    assert state is not None
    assert state.near_miss is near_miss


def test_a_non_business_accident_is_counted_apart_from_every_official_figure(ledger):
    ledger.apply(record("520201-B", deaths=2))
    ledger.apply(record("520201-P", deaths=3, business_related=False))
    ledger.apply(record("520201-F", category="fire", deaths=1, business_related=False))
    summary = ledger.summary(Q1)
    official = (summary.totals, summary.by_category[Category.ROAD_TRAFFIC])
    assert [(t.incidents, t.fatalities) for t in official] == [(1, 2), (1, 2)]
    assert summary.by_category[Category.FIRE].incidents == 0
    assert summary.by_grade[Grade.ORDINARY] == 1
    apart = summary.to_json()["non_business"]
    assert (apart["totals"]["incidents"], apart["totals"]["fatalities"]) == (2, 4)
    assert apart["by_category"]["road_traffic"]["fatalities"] == 3
    assert apart["by_region"]["520201"]["incidents"] == 2
    # A later revision that says it was of business moves it into the statistics.
    ledger.apply(record("520201-P", 2, deaths=3, business_related=True))
    assert ledger.summary(Q1).totals.fatalities == 5


def test_a_geological_report_of_threat_figures_only_is_a_threat_not_an_incident(ledger):
    ledger.apply(record("520204-T", category="geological_hazard", threatened_people=120))
    ledger.apply(record("520204-D", category="geological_hazard", threatened_people=9, deaths=1))
    hazard = ledger.summary(Q1).by_category[Category.GEOLOGICAL_HAZARD]
    assert (hazard.incidents, hazard.threats, hazard.fatalities) == (1, 1, 1)
    state = ledger.incident("520204-T")
    assert state is not None
    assert state.is_threat
    # The slope comes down and hurts someone: a disaster now.
    ledger.apply(record("520204-T", 2, category="geological_hazard", minor_injuries=1))
    hazard = ledger.summary(Q1).by_category[Category.GEOLOGICAL_HAZARD]
    assert (hazard.incidents, hazard.threats) == (2, 0)


def test_a_fire_below_its_regulations_minimum_is_a_fire_outbreak_not_a_fire():
    """Decree 822 art. 45 (2026-01-01): 一般森林火灾 from 0.067 ha; 草原 from 10 ha. The
    2008 forest regulation had no minimum; the 2010 grassland rule had 10 ha."""
    ledger = Ledger(ZONE)

    def fire(incident_id: str, day: str, category: str, **fields: Any) -> None:
        received = datetime.fromisoformat(day) + timedelta(minutes=30)
        ledger.apply(
            record(incident_id, category=category, occurred_at=day, received_at=received, **fields)
        )

    fire("520281-F1", "2026-03-01T10:00:00+08:00", "forest_fire", damaged_forest_area_ha=0.066)
    fire("520281-F2", "2026-03-01T10:00:00+08:00", "forest_fire", damaged_forest_area_ha=0.067)
    fire("520281-F3", "2025-03-01T10:00:00+08:00", "forest_fire", damaged_forest_area_ha=0.01)
    fire("520281-G1", "2025-03-01T10:00:00+08:00", "grassland_fire", burned_area_ha=9.9)
    fire("520281-G2", "2025-03-02T10:00:00+08:00", "grassland_fire", serious_injuries=1)
    fire("520281-F4", "2026-03-01T10:00:00+08:00", "forest_fire", minor_injuries=2)

    def counted(year: int, category: Category) -> tuple[int, int]:
        totals = ledger.summary(Period.year(year)).by_category[category]
        return totals.incidents, totals.fire_outbreaks

    assert counted(2026, Category.FOREST_FIRE) == (1, 2)  # F2; F1 and F4 (no serious injury)
    assert counted(2025, Category.FOREST_FIRE) == (1, 0)  # the 2008 regulation: a fire
    assert counted(2025, Category.GRASSLAND_FIRE) == (1, 1)  # G2 by its injury; G1 under 10 ha


def test_summary_filters_by_region_prefix_and_lists_known_regions_with_zeros(ledger):
    ledger.apply(record("520201-A", deaths=1))
    ledger.apply(record("520281-B", deaths=2))
    ledger.apply(record("530102-C", deaths=4))
    city = ledger.summary(Q1, "5202", known_regions=["520201", "520203", "520281"])
    assert city.totals.deaths == 3
    assert set(city.by_region) == {"520201", "520203", "520281"}
    assert city.by_region["520203"].is_zero()
    assert ledger.summary(Q1, "520281").totals.deaths == 2
    assert ledger.summary(Q1).totals.deaths == 7


def test_summary_json_has_every_category_and_grade(ledger):
    document = ledger.summary(Q1).to_json()
    assert set(document["by_category"]) == {c.value for c in Category}
    assert set(document["by_grade"]) == {g.value for g in Grade}
    assert document["totals"] == {
        "incidents": 0,
        "threats": 0,
        "fire_outbreaks": 0,
        "deaths": 0,
        "missing": 0,
        "serious_injuries": 0,
        "minor_injuries": 0,
        "direct_loss_yuan": 0.0,
        "damaged_area_ha": 0.0,
        "late_reports": 0,
        "near_misses": 0,
        "late_supplements": 0,
        "fatalities": 0,
    }
    assert set(document["groups"]) == {
        "production_safety",
        "industrial_mining_commerce",
        "natural_disaster",
    }
    assert (document["period"], document["quarter"]) == ("2022Q1", "2022Q1")


def test_an_incident_carries_its_report_fields_and_derived_ones(ledger):
    ledger.apply(record(deaths=5, trapped=4))
    state = ledger.incident("520201-T1")
    assert state is not None
    record_of = ledger.record_of(state)
    derived = state.derived(record_of)
    assert record_of.deaths == 5
    assert record_of.unit_id == "unit-1"
    assert derived["quarter"] == "2022Q1"
    assert derived["grade"] == "relatively_serious"
    assert derived["near_miss"] is True
    assert derived["late_report"] is False


@pytest.mark.parametrize(
    ("category", "received", "late"),
    [
        # Decree 493 art. 13 gives 7 days to road traffic and fire (火灾) accidents, 30 to
        # every other; counted as the Civil Code counts days: from the day after the
        # accident (2022-01-05), the last day ending at 24:00, area time.
        ("road_traffic", "2022-01-12T23:59:59+08:00", False),
        ("road_traffic", "2022-01-13T00:00:00+08:00", True),
        ("fire", "2022-01-12T23:59:59+08:00", False),
        ("fire", "2022-01-13T00:00:00+08:00", True),
        ("forest_fire", "2022-01-13T00:00:00+08:00", False),
        ("forest_fire", "2022-02-05T00:00:00+08:00", True),
        ("coal_mine", "2022-02-04T23:59:00+08:00", False),
        ("coal_mine", "2022-02-05T00:00:00+08:00", True),
        ("geological_hazard", "2022-02-05T00:00:00+08:00", True),
        # The boundary is the area's midnight, whatever offset the report is written in.
        ("other", "2022-02-04T15:59:59+00:00", False),
        ("other", "2022-02-04T16:00:00+00:00", True),
    ],
)
def test_a_casualty_change_after_the_window_is_a_late_supplement(ledger, category, received, late):
    occurred = "2022-01-05T08:00:00+08:00"
    first = hours_after(occurred, 0.5)
    ledger.apply(
        record(revision=1, category=category, occurred_at=occurred, deaths=1, received_at=first)
    )
    supplement = datetime.fromisoformat(received)
    outcome = ledger.apply(
        record(
            revision=2, category=category, occurred_at=occurred, deaths=2, received_at=supplement
        )
    )
    assert outcome is Outcome.APPLIED  # still applied, only counted as late
    state = ledger.incident("520201-T1")
    assert state is not None
    assert ledger.record_of(state).deaths == 2
    assert state.late_supplements == int(late)
    assert state.fatalities == (1 if late else 2)  # true after the window: not official
    assert ledger.summary(Q1).totals.late_supplements == int(late)


def test_a_late_revision_that_changes_no_casualty_figure_is_not_a_late_supplement(ledger):
    occurred = "2022-01-05T08:00:00+08:00"
    ledger.apply(
        record(revision=1, occurred_at=occurred, deaths=1, received_at=hours_after(occurred, 1))
    )
    ledger.apply(
        record(
            revision=2,
            occurred_at=occurred,
            deaths=1,
            title="corrected title",
            received_at=hours_after(occurred, 24 * 60),
        )
    )
    assert ledger.summary(Q1).totals.late_supplements == 0


def test_late_supplements_accumulate_and_vanish_with_a_retraction(ledger):
    occurred = "2022-01-05T08:00:00+08:00"
    late = hours_after(occurred, 24 * 40)
    ledger.apply(
        record(revision=1, occurred_at=occurred, deaths=1, received_at=hours_after(occurred, 1))
    )
    ledger.apply(record(revision=2, occurred_at=occurred, deaths=2, received_at=late))
    ledger.apply(record(revision=3, occurred_at=occurred, deaths=3, received_at=late))
    assert ledger.summary(Q1).totals.late_supplements == 2
    ledger.apply(
        record(revision=4, occurred_at=occurred, deaths=3, retracted=True, received_at=late)
    )
    assert ledger.summary(Q1).totals.late_supplements == 0


def test_near_misses_are_counted_in_the_summary(ledger):
    ledger.apply(record("520201-N1", category="geological_hazard", evacuated=800))
    ledger.apply(record("520201-N2", category="geological_hazard", evacuated=10))
    assert ledger.summary(Q1).totals.near_misses == 1
    assert ledger.summary(Q1).by_category[Category.GEOLOGICAL_HAZARD].near_misses == 1


def test_fatalities_are_the_highest_revision_within_the_window_or_else_the_first(ledger):
    occurred = "2022-01-05T08:00:00+08:00"
    ledger.apply(
        record(
            category="road_traffic",
            occurred_at=occurred,
            deaths=1,
            missing=2,
            received_at=hours_after(occurred, 1),
        )
    )
    last_minute = datetime.fromisoformat("2022-01-12T23:59:59+08:00")  # the 7th day's end
    ledger.apply(record(revision=2, occurred_at=occurred, deaths=2, received_at=last_minute))
    state = ledger.incident("520201-T1")
    assert state is not None
    assert (state.fatalities, state.fatalities_in_window) == (2, True)
    closed = datetime.fromisoformat("2022-01-13T00:00:00+08:00")
    ledger.apply(record(revision=3, occurred_at=occurred, deaths=9, received_at=closed))
    state = ledger.incident("520201-T1")
    assert state is not None
    # The incident reads 9 dead (较大 by its latest figures); the statistics and the
    # official grade keep the figures of the window: 2 dead, 一般.
    assert (state.casualties[0], state.fatalities) == (9, 2)
    assert (state.grade, state.current_grade) == (Grade.ORDINARY, Grade.RELATIVELY_SERIOUS)
    assert ledger.summary(Q1).totals.fatalities == 2
    assert ledger.summary(Q1).totals.deaths == 9
    ledger.apply(
        record(
            revision=4,
            occurred_at=occurred,
            deaths=9,
            retracted=True,
            received_at=hours_after(occurred, 40 * 24),
        )
    )
    assert ledger.summary(Q1).totals.fatalities == 0  # a retraction always applies


def test_a_report_first_filed_after_the_window_counts_its_first_revision(ledger):
    occurred = "2022-01-05T08:00:00+08:00"
    for revision, deaths in ((1, 4), (2, 6)):
        ledger.apply(
            record(
                revision=revision,
                category="coal_mine",
                occurred_at=occurred,
                deaths=deaths,
                received_at=hours_after(occurred, 31 * 24 + revision),
            )
        )
    state = ledger.incident("520201-T1")
    assert state is not None
    assert (state.fatalities, state.fatalities_in_window) == (4, False)


def test_lateness_is_judged_from_the_units_own_report_time_when_it_is_plausible(ledger):
    occurred = "2022-01-05T08:00:00+08:00"
    # Written at the scene 10 minutes after, kept 3 hours in an outbox by a dead network.
    ledger.apply(
        record(
            "520201-OUT",
            occurred_at=occurred,
            reported_at=hours_after(occurred, 1 / 6).isoformat(),
            received_at=hours_after(occurred, 3),
        )
    )
    state = ledger.incident("520201-OUT")
    assert state is not None
    assert state.late_report is False
    derived = state.derived(ledger.record_of(state))
    assert derived["delivery_delay_seconds"] == pytest.approx(3 * 3600 - 600)
    assert derived["first_reported_at"] == hours_after(occurred, 1 / 6)
    # A report time before the occurrence (or after the receipt) is not believed.
    ledger.apply(
        record(
            "520201-ODD",
            occurred_at=occurred,
            reported_at=hours_after(occurred, -1).isoformat(),
            received_at=hours_after(occurred, 3),
        )
    )
    odd = ledger.incident("520201-ODD")
    assert odd is not None
    assert odd.late_report is True
    assert odd.derived(ledger.record_of(odd))["delivery_delay_seconds"] is None
    assert ledger.delivery_delays.count == 1
    assert ledger.delivery_delays.cumulative()[-1] == ("+Inf", 1)
    assert dict(ledger.delivery_delays.cumulative())["3600"] == 0  # 2 h 50 min is above an hour


def test_trapped_and_missing_together_make_a_near_miss(ledger):
    ledger.apply(record("520201-NM", trapped=2, missing=1))
    state = ledger.incident("520201-NM")
    assert state is not None
    assert state.near_miss is True
    ledger.apply(record("520201-NO", trapped=2))
    assert ledger.incident("520201-NO").near_miss is False


def test_a_fire_is_graded_by_the_damaged_area_or_else_by_the_burned_area_and_says_so(ledger):
    in_2026 = "2026-03-01T10:00:00+08:00"
    received = hours_after(in_2026, 0.5)
    ledger.apply(
        record(
            "520281-F1",
            category="forest_fire",
            occurred_at=in_2026,
            received_at=received,
            burned_area_ha=40,
            damaged_forest_area_ha=5,
        )
    )
    ledger.apply(
        record(
            "520281-F2",
            category="forest_fire",
            occurred_at=in_2026,
            received_at=received,
            burned_area_ha=40,
        )
    )
    damaged, burned = ledger.incident("520281-F1"), ledger.incident("520281-F2")
    assert damaged is not None
    assert burned is not None
    assert (damaged.grade, damaged.graded_by_burned_area) == (Grade.ORDINARY, False)
    assert (burned.grade, burned.graded_by_burned_area) == (Grade.RELATIVELY_SERIOUS, True)


def test_a_record_written_before_the_new_fields_replays_to_its_old_grade(ledger):
    # A 2025 forest fire reported with burned_area_ha only, as every record was before:
    # the 2008 table still grades it (1 ha or more is 较大).
    raw = (
        b'{"incident_id": "520281-OLD", "revision": 1, "retracted": false, "category": "forest_fire",'
        b' "region_code": "520281", "occurred_at": "2025-08-01T10:00:00+08:00", "deaths": 0,'
        b' "missing": 0, "serious_injuries": 0, "minor_injuries": 0, "direct_loss_yuan": 0.0,'
        b' "burned_area_ha": 5.0, "title": "", "description": "",'
        b' "received_at": "2025-08-01T02:30:00Z", "unit_id": "unit-1"}'
    )
    from safetywatch.events.decode import decode_record

    decoded = decode_record(b"520281-OLD", raw)
    ledger.apply(decoded, raw)
    state = ledger.incident("520281-OLD")
    assert state is not None
    assert state.grade is Grade.RELATIVELY_SERIOUS
    # The same fire in 2026 is graded by Decree 822: 5 ha is ordinary.
    ledger.apply(
        record(
            "520281-NEW",
            category="forest_fire",
            occurred_at="2026-08-01T10:00:00+08:00",
            received_at=hours_after("2026-08-01T10:00:00+08:00", 0.5),
            damaged_forest_area_ha=5,
        )
    )
    assert ledger.incident("520281-NEW").grade is Grade.ORDINARY
