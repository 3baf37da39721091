"""The aggregator's current alert evaluation: refreshed after applied records, on a
schedule and on reload; what the alert gauges and the read API show."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from safetywatch.accounting import Ledger
from safetywatch.aggregator.clock import Clock
from safetywatch.alerting import AlertState, ChainReport, IncidentFacts, chain_report, evaluate
from safetywatch.config import AreaConfig
from safetywatch.events import CATEGORY_NAMES, Category

log = structlog.get_logger("safetywatch.alerting")

#: How a threshold rule over every category names them.
ALL_CATEGORIES = ("各类", "all categories")


@dataclass(frozen=True, slots=True)
class ScopeNames:
    """What an alert is about, in the names people read: the category (各类 for a
    rule over all) and the place (全市, the county, the incident's region)."""

    category: str
    category_en: str
    place: str
    place_en: str


def scope_names(state: AlertState, area: AreaConfig) -> ScopeNames:
    facts = state.incident
    if facts is not None:
        return ScopeNames(
            facts.category_name,
            facts.category_name_en,
            facts.region_name,
            facts.region_name_en,
        )
    kind = ALL_CATEGORIES
    if state.category != "all":
        names = CATEGORY_NAMES[Category(state.category)]
        kind = (names.zh, names.en)
    place = area.place_for(state.region)
    return ScopeNames(kind[0], kind[1], place.zh, place.en)


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
            states = evaluate(
                self.area.rules, self._ledger, self.area, now, self.area.indicators.targets
            )
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
