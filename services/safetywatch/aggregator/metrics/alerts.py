"""The alert gauges (contract §4): each rule instance the board's latest evaluation
holds, in names a notification reads, and the located incidents for a map."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from safetywatch.aggregator.alerts import AlertBoard, scope_names
from safetywatch.aggregator.metrics import names_only
from safetywatch.alerting import AlertState
from safetywatch.config import AreaConfig

ALERT_LABELS = [
    "rule",
    "severity",
    "region",
    "category",
    # per-incident rules only (but the names, which name a threshold rule's scope
    # too: 全市, 钟山区; 各类, 道路交通); empty (absent in Prometheus) on the others
    "incident_id",
    "grade",
    "grade_name",
    "grade_name_en",
    "situation",
    "category_name",
    "region_name",
    "deaths",
    "missing",
    "serious_injuries",
    "occurred_at",
    "category_name_en",
    "region_name_en",
]


LOCATION_LABELS = [
    "incident_id",
    "region",
    "region_name",
    "category",
    "category_name",
    "grade",
    "grade_name",
    "latitude",
    "longitude",
]


def _incident_labels(state: AlertState, area: AreaConfig) -> list[str]:
    """The per-incident labels of ALERT_LABELS; for a threshold rule only the names of
    its scope — the category (各类 for all) and the place (全市, or the county), what a
    notification reads instead of codes."""
    facts = state.incident
    if facts is None:
        names = scope_names(state, area)
        no_incident = ["", "", "", ""]
        return [
            "",
            *no_incident,
            names.category,
            names.place,
            *no_incident,
            names.category_en,
            names.place_en,
        ]
    return [
        facts.incident_id,
        facts.grade,
        facts.grade_name,
        facts.grade_name_en,
        facts.situation,
        facts.category_name,
        facts.region_name,
        str(facts.deaths),
        str(facts.missing),
        str(facts.serious_injuries),
        facts.occurred_at,
        facts.category_name_en,
        facts.region_name_en,
    ]


class AlertCollector(Collector):
    def __init__(self, board: AlertBoard) -> None:
        self._board = board

    def describe(self) -> Iterator[Metric]:
        yield from names_only(
            "safetywatch_alert",
            "safetywatch_alert_value",
            "safetywatch_alert_threshold",
            "safetywatch_alert_overflow",
            "safetywatch_incident_location",
        )
        yield Metric("safetywatch_alert_evaluation_failures", "", "counter")

    def _locations(self) -> Metric:
        family = GaugeMetricFamily(
            "safetywatch_incident_location",
            "Incidents with an active per-incident alert, at their reported WGS84 location "
            "(latitude and longitude as labels, for a map): 1",
            labels=LOCATION_LABELS,
        )
        for state, facts, lat, lon in self._board.located():
            family.add_metric(
                [
                    facts.incident_id,
                    state.region,
                    facts.region_name,
                    state.category,
                    facts.category_name,
                    facts.grade,
                    facts.grade_name,
                    f"{lat:.5f}",
                    f"{lon:.5f}",
                ],
                1,
            )
        return family

    def collect(self) -> Iterator[Metric]:
        alert = GaugeMetricFamily(
            "safetywatch_alert",
            "1 while the rule instance is active, 0 while not",
            labels=ALERT_LABELS,
        )
        value = GaugeMetricFamily(
            "safetywatch_alert_value",
            "The figure the rule instance compares",
            labels=["rule", "region", "category", "incident_id"],
        )
        threshold = GaugeMetricFamily(
            "safetywatch_alert_threshold",
            "The bound the figure is compared with",
            labels=["rule", "region", "category", "severity", "incident_id"],
        )
        overflow = GaugeMetricFamily(
            "safetywatch_alert_overflow",
            "Notable incidents of a per-incident rule beyond the ones alerting on their own",
            labels=["rule", "severity", "region", "region_name", "region_name_en"],
        )
        seen_values: set[tuple[str, ...]] = set()
        for state in self._board.states:
            if state.overflow:
                place = self._board.area.place_for(state.region)
                overflow.add_metric(
                    [state.rule, state.severity, state.region, place.zh, place.en], state.value
                )
                continue
            incident_labels = _incident_labels(state, self._board.area)
            alert.add_metric(
                [state.rule, state.severity, state.region, state.category, *incident_labels],
                int(state.active),
            )
            key = (state.rule, state.region, state.category, incident_labels[0])
            if key not in seen_values:
                seen_values.add(key)
                value.add_metric(list(key), state.value)
            threshold.add_metric(
                [state.rule, state.region, state.category, state.severity, incident_labels[0]],
                state.threshold,
            )
        yield alert
        yield value
        yield threshold
        yield overflow
        yield self._locations()
        yield CounterMetricFamily(
            "safetywatch_alert_evaluation_failures",
            "Alert evaluations that failed (the previous one stayed in force)",
            value=self._board.failures,
        )
