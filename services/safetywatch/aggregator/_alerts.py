"""The aggregator's current alert evaluation and its contract §4 alert gauges."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import structlog
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from safetywatch.accounting import Ledger
from safetywatch.aggregator._metrics import Clock, names_only
from safetywatch.alerting import AlertState, ChainReport, IncidentFacts, chain_report, evaluate
from safetywatch.config import AreaConfig
from safetywatch.events import CATEGORY_NAMES, Category

log = structlog.get_logger("safetywatch.alerting")

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

#: How a threshold rule over every category names them.
_ALL_CATEGORIES = ("各类", "all categories")

#: Alerts follow streaming records at most this often (seconds).
MIN_REFRESH_INTERVAL = 0.25


class AlertBoard:
    """Holds the latest evaluation; refreshed after applied records, every minute and on reload."""

    def __init__(
        self,
        ledger: Ledger,
        area: AreaConfig,
        clock: Clock,
        min_interval: float = MIN_REFRESH_INTERVAL,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self._ledger = ledger
        self.area = area
        self._clock = clock
        self._min_interval = min_interval
        self._ready = ready
        self._refreshed_at = -math.inf  # monotonic
        self._pending: asyncio.TimerHandle | None = None
        self.states: list[AlertState] = []
        self.chain = ChainReport([], [], {})
        self.evaluated_at: datetime | None = None
        self.failures = 0

    def refresh_soon(self) -> None:
        """After applied records: now, or once the minimum interval has passed. At a
        province's scale an evaluation takes tens of milliseconds; doing one per
        fetched batch kept the event loop busy and delayed the records themselves."""
        if self._pending is not None:
            return  # the evaluation already scheduled will see these records too
        wait = self._refreshed_at + self._min_interval - time.monotonic()
        if wait <= 0:
            self.refresh()
        else:
            self._pending = asyncio.get_running_loop().call_later(wait, self._refresh_pending)

    def _refresh_pending(self) -> None:
        self._pending = None
        self.refresh()

    def refresh(self) -> None:
        """Evaluate the rules now. Before the replay caught up there is nothing to say:
        rules judged on part of the log would resolve real alerts and raise false ones."""
        if not self._ready():
            return
        self._refreshed_at = time.monotonic()
        now = self._clock()
        before = {_identity(s) for s in self.states if s.active}
        try:
            states = evaluate(self.area.rules, self._ledger, self.area, now)
            chain = chain_report(self._ledger, self.area, now)
        except Exception:
            # A defect in a rule must not stop the follower that called us: the previous
            # evaluation stays, and the failure is counted and logged.
            self.failures += 1
            log.exception("alert_evaluation_failed", rules=len(self.area.rules))
            return
        self.states = states
        _log_chain_changes(self.chain, chain)
        self.chain = chain
        self.evaluated_at = now
        after = {_identity(s) for s in self.states if s.active}
        for event, changed in (("alert_active", after - before), ("alert_cleared", before - after)):
            for rule, severity, region, category, incident_id in sorted(changed):
                log.info(
                    event,
                    rule=rule,
                    severity=severity,
                    region=region,
                    category=category,
                    incident_id=incident_id,
                )

    def located(self) -> list[tuple[AlertState, IncidentFacts, float, float]]:
        """The incidents with an active per-incident alert and a reported location, each
        once (the most severe of its alerts): what the map shows. As bounded as the
        alerts themselves; their records are read back from the record store."""
        shown: dict[str, tuple[AlertState, IncidentFacts, float, float]] = {}
        for state in sorted(self.states, key=lambda s: s.severity != "critical"):
            facts = state.incident
            if facts is None or not state.active or facts.incident_id in shown:
                continue
            incident = self._ledger.incident(facts.incident_id)
            location = self._ledger.record_of(incident).location if incident else None
            if location is not None:
                shown[facts.incident_id] = (state, facts, location.lat, location.lon)
        return list(shown.values())

    def reload(self, area: AreaConfig) -> None:
        self.area = area
        self.refresh()


def _log_chain_changes(before: ChainReport, after: ChainReport) -> None:
    """A step that became overdue, and one that stopped being (confirmed, or closed)."""
    was = {(s.incident_id, s.level): s for s in before.steps if s.value}
    now = {(s.incident_id, s.level): s for s in after.steps if s.value}
    for key in sorted(now.keys() - was.keys()):
        step = now[key]
        log.warning(
            "reporting_overdue",
            incident_id=step.incident_id,
            level=step.level.value,
            region=step.region,
            due_at=step.due_at.isoformat(),
        )
    for key in sorted(was.keys() - now.keys()):
        log.info("reporting_overdue_cleared", incident_id=key[0], level=key[1].value)


def _identity(state: AlertState) -> tuple[str, str, str, str, str]:
    incident = state.incident.incident_id if state.incident else ""
    return state.rule, state.severity, state.region, state.category, incident


def _incident_labels(state: AlertState, area: AreaConfig) -> list[str]:
    """The per-incident labels of ALERT_LABELS; for a threshold rule only the names of
    its scope — the category (各类 for all) and the place (全市, or the county), what a
    notification reads instead of codes."""
    facts = state.incident
    if facts is None:
        kind = _ALL_CATEGORIES
        if state.category != "all":
            names = CATEGORY_NAMES[Category(state.category)]
            kind = (names.zh, names.en)
        place = area.place_for(state.region)
        return ["", "", "", "", "", kind[0], place.zh, "", "", "", "", kind[1], place.en]
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
                [facts.incident_id, state.region, facts.region_name, state.category,
                 facts.category_name, facts.grade, facts.grade_name, f"{lat:.5f}", f"{lon:.5f}"],
                1,
            )  # fmt: skip
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
