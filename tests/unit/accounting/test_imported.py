"""Imported history (origin: import) is counted like any report and chases nobody: no
reporting chain, no follow-up, no per-incident alert, never 迟报."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safetywatch.accounting.chain import ChainRules, chain_of, next_follow_up_due
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period
from safetywatch.alerting.evaluate import evaluate
from safetywatch.config.area import load_area
from tests.reports import record

AREA = load_area()
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
RULES = ChainRules(None, None, timedelta(hours=72))
#: A 5-death road accident of March 2025, first reported today: 20 months late.
OCCURRED, RECEIVED = "2025-03-01T10:00:00+08:00", NOW - timedelta(minutes=5)


def applied(origin: str | None = None) -> Ledger:
    ledger = Ledger(AREA.zone)
    ledger.apply(
        record("520201-H1", deaths=5, occurred_at=OCCURRED, received_at=RECEIVED, origin=origin)
    )
    return ledger


def test_history_counts_in_its_period_and_pages_nobody():
    imported = applied(origin="import")
    state = imported.incident("520201-H1")
    assert state is not None
    assert state.imported
    totals = imported.summary(Period.year(2025)).totals
    assert (totals.incidents, totals.fatalities, totals.late_reports) == (1, 5, 0)
    assert chain_of(state, RULES, NOW) == []
    assert next_follow_up_due(state, RULES) is None
    assert not [s for s in evaluate(AREA.rules, imported, AREA, NOW) if s.incident is not None]


def test_the_same_report_posted_as_news_is_late_and_chased():
    live = applied()
    state = live.incident("520201-H1")
    assert state is not None
    assert not state.imported
    assert live.summary(Period.year(2025)).totals.late_reports == 1
    assert [step.level.value for step in chain_of(state, RULES, NOW)] == [
        "county",
        "city",
        "province",
    ]
    alerts = {s.rule for s in evaluate(AREA.rules, live, AREA, NOW) if s.incident is not None}
    assert {"serious_incident", "late_report"} <= alerts


def test_a_corrected_import_raises_a_revision_and_stays_history():
    # The bureau's statistics as kept: a corrected figure counts (never 补报超期).
    ledger = applied(origin="import")
    ledger.apply(
        record(
            "520201-H1", 2, deaths=6, origin="import", occurred_at=OCCURRED, received_at=RECEIVED
        )
    )
    state = ledger.incident("520201-H1")
    assert state is not None
    assert (state.revision, state.imported, state.casualties[0]) == (2, True, 6)
    totals = ledger.summary(Period.year(2025)).totals
    assert (totals.fatalities, totals.late_supplements) == (6, 0)
