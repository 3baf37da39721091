"""Each alert rule kind, evaluated purely against a ledger at a chosen instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import TypeAdapter, ValidationError

from safetywatch.accounting.ledger import Ledger
from safetywatch.aggregator.alerts import AlertBoard
from safetywatch.aggregator.metrics.alerts import AlertCollector
from safetywatch.alerting.evaluate import evaluate
from safetywatch.alerting.rules import Rule
from safetywatch.alerting.states import AlertState
from safetywatch.config.area import AreaConfig, load_area
from safetywatch.config.errors import ConfigError
from safetywatch.events.grades import Grade
from tests.reports import record

BASE = load_area()
NOW = datetime(2022, 2, 20, 12, 0, tzinfo=UTC)  # 2022Q1, day 51 of the year
RULES = TypeAdapter(list[Rule])


def area_with(*rules: dict[str, Any]) -> AreaConfig:
    return BASE.model_copy(update={"rules": RULES.validate_python(list(rules))})


def at(hours_before_now: float) -> str:
    return (NOW - timedelta(hours=hours_before_now)).isoformat()


def with_targets(targets: dict[str, dict[str, int]], *rules: dict[str, Any]) -> AreaConfig:
    """The default area with these rules and the year 2022's control targets."""
    document = BASE.model_dump(mode="json", exclude={"rules", "targets"})
    return AreaConfig.model_validate({**document, "rules": list(rules), "targets": {2022: targets}})


def states(area: AreaConfig, ledger: Ledger, now: datetime = NOW) -> list[AlertState]:
    return evaluate(area.rules, ledger, area, now, area.indicators.targets)


def active(area: AreaConfig, ledger: Ledger, now: datetime = NOW) -> set[tuple[str, str, str, str]]:
    return {
        (s.rule, s.severity, s.region, s.incident.incident_id if s.incident else "")
        for s in states(area, ledger, now)
        if s.active
    }


GRADE = {"name": "serious", "kind": "grade", "hold_hours": 24}
ROAD_DEATHS = {
    "name": "road",
    "kind": "quarterly_count",
    "figure": "deaths",
    "category": "road_traffic",
    "warn": 3,
    "critical": 5,
}


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(BASE.zone)


def test_an_incident_at_the_grade_alerts_with_its_facts(ledger):
    ledger.apply(
        record(
            "520201-A",
            occurred_at=at(2),
            received_at=NOW - timedelta(hours=1),
            deaths=5,
            serious_injuries=3,
        )
    )
    [state] = [s for s in states(area_with(GRADE), ledger) if s.active]
    assert (state.rule, state.severity, state.region, state.category) == (
        "serious",
        "critical",
        "520201",
        "road_traffic",
    )
    assert state.incident is not None
    assert state.incident.region_name == "钟山区"
    assert (state.incident.grade, state.incident.deaths, state.incident.serious_injuries) == (
        "relatively_serious",
        5,
        3,
    )


def test_below_the_grade_no_alert(ledger):
    ledger.apply(record("520201-A", occurred_at=at(2), received_at=NOW, deaths=2))
    assert not active(area_with(GRADE), ledger)


def test_the_alert_holds_from_the_revision_that_reached_the_grade(ledger):
    reached = NOW - timedelta(hours=30)
    ledger.apply(
        record("520201-A", 1, occurred_at=at(40), received_at=NOW - timedelta(hours=39), deaths=1)
    )
    ledger.apply(record("520201-A", 2, occurred_at=at(40), received_at=reached, deaths=3))
    area = area_with(GRADE)
    assert active(area, ledger, reached + timedelta(hours=23, minutes=59))
    assert not active(area, ledger, reached + timedelta(hours=24))


def test_a_downgrade_or_a_retraction_clears_the_alert_early(ledger):
    area = area_with(GRADE)
    ledger.apply(record("520201-A", 1, occurred_at=at(2), received_at=NOW, deaths=3))
    assert active(area, ledger)
    ledger.apply(record("520201-A", 2, occurred_at=at(2), received_at=NOW, deaths=2))
    assert not active(area, ledger)
    ledger.apply(record("520201-A", 3, occurred_at=at(2), received_at=NOW, deaths=4))
    assert active(area, ledger)
    ledger.apply(
        record("520201-A", 4, occurred_at=at(2), received_at=NOW, deaths=4, retracted=True)
    )
    assert not active(area, ledger)


def test_a_near_miss_alerts_as_a_warning(ledger):
    ledger.apply(
        record(
            "520204-N",
            category="geological_hazard",
            occurred_at=at(2),
            received_at=NOW,
            evacuated=600,
        )
    )
    assert active(area_with(GRADE), ledger) == {("serious", "warning", "520204", "520204-N")}


def test_quarterly_counts_warn_then_go_critical(ledger):
    area = area_with(ROAD_DEATHS)
    ledger.apply(record("520201-A", occurred_at=at(2), received_at=NOW, deaths=2))
    assert not active(area, ledger)
    ledger.apply(record("520281-B", occurred_at=at(2), received_at=NOW, deaths=1))
    assert active(area, ledger) == {("road", "warning", "5202", "")}
    ledger.apply(record("520281-C", occurred_at=at(2), received_at=NOW, deaths=2))
    assert active(area, ledger) == {
        ("road", "warning", "5202", ""),
        ("road", "critical", "5202", ""),
    }


def test_quarterly_counts_for_each_region_and_other_categories(ledger):
    area = area_with(
        {
            "name": "mines",
            "kind": "quarterly_count",
            "figure": "incidents",
            "category": "coal_mine",
            "scope": "each",
            "warn": 1,
            "critical": 2,
        }
    )
    ledger.apply(record("520203-M", category="coal_mine", occurred_at=at(2), received_at=NOW))
    ledger.apply(record("520201-R", occurred_at=at(2), received_at=NOW))
    assert active(area, ledger) == {("mines", "warning", "520203", "")}
    regions = {s.region for s in states(area, ledger)}
    assert regions == {"520201", "520203", "520204", "520281"}


def test_control_targets_warn_at_the_share_and_go_critical_at_the_target(ledger):
    area = with_targets(
        {"520201": {"deaths": 10}},
        {"name": "target", "kind": "control_target", "warn_share": 0.8},
    )
    ledger.apply(
        record("520201-A", occurred_at="2022-01-10T10:00:00+08:00", received_at=NOW, deaths=8)
    )
    assert ("target", "warning", "520201", "") in active(area, ledger)
    assert ("target", "critical", "520201", "") not in active(area, ledger)
    ledger.apply(
        record("520201-B", occurred_at="2022-02-10T10:00:00+08:00", received_at=NOW, deaths=2)
    )
    assert ("target", "critical", "520201", "") in active(area, ledger)


def test_running_ahead_of_the_time_progress_warns_once_past_the_minimum(ledger):
    # 20 February: 时间进度 is 2 of 12 months, so the pace of a target of 10 is 1.667;
    # the pace warning waits for 3 deaths (pace_minimum) however far ahead 2 would be.
    area = with_targets({"520201": {"deaths": 10}}, {"name": "target", "kind": "control_target"})
    for n in range(2):
        ledger.apply(
            record(
                f"520201-A{n}", occurred_at="2022-01-10T10:00:00+08:00", received_at=NOW, deaths=1
            )
        )
    assert ("target_pace", "warning", "520201", "") not in active(area, ledger)
    ledger.apply(
        record("520201-B", occurred_at="2022-01-11T10:00:00+08:00", received_at=NOW, deaths=1)
    )
    assert ("target_pace", "warning", "520201", "") in active(area, ledger)
    pace = next(s for s in states(area, ledger) if s.rule == "target_pace")
    assert (pace.value, pace.threshold) == (3, round(10 * 2 / 12, 3))


def test_one_death_on_the_second_of_january_pages_nobody(ledger):
    second_of_january = datetime(2022, 1, 2, 1, 0, tzinfo=UTC)
    area = with_targets({"520201": {"deaths": 12}}, {"name": "target", "kind": "control_target"})
    ledger.apply(
        record(
            "520201-J",
            occurred_at="2022-01-02T08:00:00+08:00",
            received_at=second_of_january,
            deaths=1,
        )
    )
    assert not active(area, ledger, second_of_january)
    # The figure is fatalities by default: the missing count with the dead.
    ledger.apply(
        record(
            "520201-K",
            occurred_at="2022-01-02T08:30:00+08:00",
            received_at=second_of_january,
            missing=2,
        )
    )
    pace = next(s for s in states(area, ledger, second_of_january) if s.rule == "target_pace")
    assert (pace.value, pace.threshold, pace.active) == (3, 1.0, True)


def test_year_over_year_needs_both_the_percentage_and_the_absolute_rise(ledger):
    area = area_with(
        {
            "name": "yoy",
            "kind": "year_over_year",
            "figure": "deaths",
            "min_increase_percent": 50,
            "min_increase": 3,
        }
    )
    ledger.apply(
        record("520201-LY", occurred_at="2021-02-10T10:00:00+08:00", received_at=NOW, deaths=4)
    )
    ledger.apply(record("520201-A", occurred_at=at(2), received_at=NOW, deaths=5))
    assert not active(area, ledger)  # +1 and +25%: neither is enough
    ledger.apply(record("520201-B", occurred_at=at(2), received_at=NOW, deaths=1))
    assert not active(area, ledger)  # 6 vs 4: +50% but only +2
    ledger.apply(record("520201-C", occurred_at=at(2), received_at=NOW, deaths=1))
    assert active(area, ledger) == {("yoy", "warning", "5202", "")}  # 7 vs 4: +75% and +3
    state = next(s for s in states(area, ledger) if s.rule == "yoy")
    assert (state.value, state.threshold) == (7, 7)


def test_year_over_year_compares_equal_spans_not_a_partial_quarter_with_a_whole_one(ledger):
    # 20 February 2022: 1 January – 20 February against 1 January – 20 February 2021.
    area = area_with(
        {
            "name": "yoy",
            "kind": "year_over_year",
            "figure": "deaths",
            "min_increase_percent": 50,
            "min_increase": 3,
        }
    )
    last_year = [("2021-01-15", 4), ("2021-02-20T21:00", 1), ("2021-03-10", 12)]
    for n, (day, deaths) in enumerate(last_year):
        moment = day if "T" in day else f"{day}T10:00"
        ledger.apply(
            record(
                f"520201-LY{n}", occurred_at=f"{moment}:00+08:00", received_at=NOW, deaths=deaths
            )
        )
    ledger.apply(record("520201-NOW", occurred_at=at(2), received_at=NOW, deaths=10))
    state = next(s for s in states(area, ledger) if s.rule == "yoy")
    # Last year's same span: 4 (15 January) — the 20 February death came at 21:00,
    # later in the day than now (20:00 in Shanghai); March came after. The quarter had 17.
    assert (state.value, state.threshold, state.active) == (10, 7, True)
    monthly = area_with(
        {
            "name": "yoy_month",
            "kind": "year_over_year",
            "figure": "deaths",
            "period": "month",
            "min_increase": 1,
            "min_increase_percent": 0,
        }
    )
    state = next(s for s in states(monthly, ledger) if s.rule == "yoy_month")
    assert (state.value, state.threshold) == (10, 1)  # February so far: 10 against 0


CLUSTER = {
    "name": "slides",
    "kind": "cluster",
    "category": "geological_hazard",
    "count": 3,
    "window_days": 7,
}


def test_a_cluster_counts_incidents_of_the_category_in_one_region_within_the_window(ledger):
    area = area_with(CLUSTER)
    for n, hours in enumerate([1, 50, 24 * 7 - 1]):
        ledger.apply(
            record(
                f"520204-S{n}", category="geological_hazard", occurred_at=at(hours), received_at=NOW
            )
        )
    ledger.apply(
        record("520201-S9", category="geological_hazard", occurred_at=at(1), received_at=NOW)
    )
    assert active(area, ledger) == {("slides", "warning", "520204", "")}
    assert not active(area, ledger, NOW + timedelta(hours=2))  # the oldest slid out of the window


def test_retracted_incidents_do_not_make_a_cluster(ledger):
    for n in range(3):
        ledger.apply(
            record(f"520204-S{n}", category="geological_hazard", occurred_at=at(1), received_at=NOW)
        )
    ledger.apply(
        record(
            "520204-S0",
            2,
            category="geological_hazard",
            occurred_at=at(1),
            received_at=NOW,
            retracted=True,
        )
    )
    assert not active(area_with(CLUSTER), ledger)


def test_a_late_first_report_alerts_for_the_hold_time(ledger):
    area = area_with({"name": "late", "kind": "late_report", "hold_hours": 24})
    ledger.apply(record("520281-L", occurred_at=at(3), received_at=NOW))
    ledger.apply(record("520281-OK", occurred_at=at(0.5), received_at=NOW))
    assert active(area, ledger) == {("late", "warning", "520281", "520281-L")}
    assert not active(area, ledger, NOW + timedelta(hours=24))


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ({"name": "x", "kind": "volcano"}, "rules[0]"),
        ({"name": "Bad Name", "kind": "late_report"}, "rules[0].late_report.name"),
        (
            {"name": "x", "kind": "quarterly_count", "figure": "deaths", "warn": 5, "critical": 2},
            "rules[0].quarterly_count",
        ),
        (
            {"name": "x", "kind": "quarterly_count", "figure": "smiles", "warn": 1, "critical": 2},
            "rules[0].quarterly_count.figure",
        ),
        (
            {
                "name": "x",
                "kind": "cluster",
                "category": "geological_hazard",
                "count": 1,
                "window_days": 7,
            },
            "rules[0].cluster.count",
        ),
        (
            {"name": "x", "kind": "control_target", "targets": {"520201": 3}},
            "rules[0].control_target: targets: a control target is set per year",
        ),
        (
            {"name": "x", "kind": "control_target", "target": "injuries"},
            "rules[0].control_target.target",
        ),
        ({"name": "x", "kind": "grade", "min_grade": "huge"}, "rules[0].grade.min_grade"),
    ],
)
def test_bad_rules_are_refused_naming_the_key(tmp_path, rule, key):
    import yaml

    document = {"regions": [{"code": "520200", "name": "x"}], "rules": [rule]}
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_area(path)
    assert f"{path}: {key}" in str(caught.value)


def test_rule_names_are_unique():
    with pytest.raises(ValidationError, match="duplicate names late"):
        AreaConfig.model_validate(
            {
                "regions": [{"code": "520200", "name": "x"}],
                "rules": [{"name": "late", "kind": "late_report"}] * 2,
            }
        )


def test_the_default_area_ships_one_rule_of_every_kind():
    assert {rule.kind for rule in BASE.rules} == {
        "grade",
        "quarterly_count",
        "control_target",
        "year_over_year",
        "cluster",
        "late_report",
    }


def test_alert_gauges_carry_the_spec_labels(ledger):
    area = area_with(
        GRADE,
        ROAD_DEATHS,
    )
    ledger.apply(record("520201-A", occurred_at=at(2), received_at=NOW, deaths=4))
    board = AlertBoard(ledger, area, clock=lambda: NOW)
    board.refresh()
    registry = CollectorRegistry()
    registry.register(AlertCollector(board))
    incident = {
        "rule": "serious",
        "severity": "critical",
        "region": "520201",
        "category": "road_traffic",
        "incident_id": "520201-A",
        "grade": "relatively_serious",
        "grade_name": "较大事故",
        "grade_name_en": "relatively serious accident",
        "situation": "disaster",
        "category_name": "道路运输",
        "region_name": "钟山区",
        "deaths": "4",
        "missing": "0",
        "serious_injuries": "0",
        "occurred_at": datetime.fromisoformat(at(2))
        .astimezone(BASE.zone)
        .isoformat(timespec="minutes"),
        "category_name_en": "Road transport",
        "region_name_en": "Zhongshan District",
    }
    assert registry.get_sample_value("safetywatch_alert", incident) == 1
    aggregate = {"rule": "road", "region": "5202", "category": "road_traffic"}
    blank = dict.fromkeys(
        [
            "incident_id",
            "grade",
            "grade_name",
            "grade_name_en",
            "situation",
            "deaths",
            "missing",
            "serious_injuries",
            "occurred_at",
        ],
        "",
    )
    # A threshold rule's scope in words, for the notification: the whole city, a category.
    blank |= {
        "region_name": "全市",
        "category_name": "道路运输",
        "region_name_en": "the city",
        "category_name_en": "Road transport",
    }
    assert (
        registry.get_sample_value(
            "safetywatch_alert", {**aggregate, **blank, "severity": "warning"}
        )
        == 1
    )
    assert (
        registry.get_sample_value(
            "safetywatch_alert", {**aggregate, **blank, "severity": "critical"}
        )
        == 0
    )
    assert (
        registry.get_sample_value("safetywatch_alert_value", {**aggregate, "incident_id": ""}) == 4
    )
    assert (
        registry.get_sample_value(
            "safetywatch_alert_threshold", {**aggregate, "severity": "critical", "incident_id": ""}
        )
        == 5
    )


def test_the_board_evaluates_nothing_before_the_replay_caught_up(ledger):
    ledger.apply(record("520201-EARLY", occurred_at=at(2), received_at=NOW, deaths=5))
    caught_up = False
    board = AlertBoard(ledger, BASE, lambda: NOW, ready=lambda: caught_up)
    board.refresh()
    assert board.states == []
    assert board.evaluated_at is None
    caught_up = True
    board.refresh()
    assert any(s.incident and s.incident.incident_id == "520201-EARLY" for s in board.states)


def test_a_failing_evaluation_keeps_the_previous_one_and_is_counted(ledger, monkeypatch):
    ledger.apply(record("520201-KEEP", occurred_at=at(2), received_at=NOW, deaths=5))
    board = AlertBoard(ledger, BASE, lambda: NOW)
    board.refresh()
    kept = list(board.states)

    def broken(*_args: object) -> list[AlertState]:
        raise ZeroDivisionError("a defect in a rule")

    monkeypatch.setattr("safetywatch.aggregator.alerts.evaluate", broken)
    board.refresh()
    assert board.states == kept
    assert board.failures == 1


def test_a_flood_of_notable_incidents_is_capped_per_region_with_one_overflow(ledger):
    area = area_with({"name": "late", "kind": "late_report", "max_incident_alerts": 5})
    for n in range(12):
        ledger.apply(
            record(
                f"520281-FLOOD{n}",
                occurred_at=at(30),
                received_at=NOW - timedelta(minutes=60 - n),
                category="other",
            )
        )
    ledger.apply(record("520201-ONE", occurred_at=at(30), received_at=NOW, category="other"))
    evaluated = states(area, ledger)
    shown = [s.incident.incident_id for s in evaluated if s.incident and s.region == "520281"]
    # The most recent five (received last) alert on their own.
    assert shown == [f"520281-FLOOD{n}" for n in (11, 10, 9, 8, 7)]
    overflow = [s for s in evaluated if s.overflow]
    assert [(s.region, s.value, s.threshold) for s in overflow] == [("520281", 7.0, 5.0)]
    assert [s.incident.incident_id for s in evaluated if s.incident and s.region == "520201"] == [
        "520201-ONE"
    ]
    registry = CollectorRegistry()
    board = AlertBoard(Ledger(BASE.zone), area, lambda: NOW)
    board.states = evaluated
    registry.register(AlertCollector(board))
    labels = {
        "rule": "late",
        "severity": "warning",
        "region": "520281",
        "region_name": "盘州市",
        "region_name_en": "Panzhou",
    }
    assert registry.get_sample_value("safetywatch_alert_overflow", labels) == 7
    assert sum(1 for s in evaluated if not s.overflow) == 6


def test_grade_alerts_keep_the_most_severe_when_capped(ledger):
    area = area_with({**GRADE, "max_incident_alerts": 2, "near_misses": False})
    for n, deaths in enumerate([3, 10, 4, 31, 3]):
        ledger.apply(
            record(
                f"520201-G{n}",
                occurred_at=at(3),
                received_at=NOW - timedelta(minutes=n),
                deaths=deaths,
            )
        )
    shown = [s.incident.incident_id for s in states(area, ledger) if s.incident]
    assert shown == ["520201-G3", "520201-G1"]  # 特别重大, then 重大


def test_a_geological_threat_alerts_at_its_grade_as_a_threat(ledger):
    # 1,500 residents threatened, moved before the slope failed: a 特大型 险情, not 一般.
    ledger.apply(
        record(
            "520204-SLOPE",
            category="geological_hazard",
            occurred_at=at(1),
            received_at=NOW,
            threatened_people=1500,
            evacuated=1500,
        )
    )
    (alert,) = [
        s for s in states(area_with(GRADE), ledger) if s.incident and s.severity == "critical"
    ]
    assert alert.incident is not None
    assert (alert.incident.grade, alert.incident.situation) == ("particularly_serious", "threat")
    assert alert.incident.grade_name == "特大型地质灾害险情"
    state = ledger.incident("520204-SLOPE")
    assert state is not None
    assert (state.grade, state.threat_grade, state.is_threat) == (
        Grade.ORDINARY,
        Grade.PARTICULARLY_SERIOUS,
        True,
    )
