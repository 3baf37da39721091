"""The ledger's reporting chain equals the reference model's on generated histories of
reports and confirmations, in any log order (contract §8)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings

from safetywatch.accounting.chain import ChainRules, chain_of
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.decode import Rejection, decode_record
from safetywatch.events.report import IncidentRecord
from tests.histories import chain_histories
from tests.reference import reference_chains, reference_timeliness, truths
from tests.unit.accounting.test_ledger_properties import EXAMPLES, periods_around

ZONE = ZoneInfo("Asia/Shanghai")
RULES = ChainRules()

#: Instants after each incident's first report: at and around the steps (2 h, and 4 h
#: and 12 h for geological hazards) and the hold.
OFFSETS = tuple(timedelta(hours=h) for h in (0, 2, 2.0001, 4, 6.0001, 12, 12.0001, 30, 80))


def replay(log: list[IncidentRecord | ConfirmationRecord]) -> Ledger:
    """Through the aggregator's own decode, as the follower applies them."""
    ledger = Ledger(ZONE, chain=RULES)
    for item in log:
        raw = item.to_json_bytes()
        decoded = decode_record(item.incident_id.encode(), raw)
        assert not isinstance(decoded, Rejection), decoded
        if isinstance(decoded, ConfirmationRecord):
            ledger.apply_confirmation(decoded)
        else:
            ledger.apply(decoded, raw)
    return ledger


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_histories())
def test_every_chain_equals_the_reference_at_every_instant(
    log: list[IncidentRecord | ConfirmationRecord],
) -> None:
    ledger = replay(log)
    firsts = [s.first_received_at for s in ledger.incidents()]
    for now in sorted({first + offset for first in firsts for offset in OFFSETS}):
        expected = reference_chains(log, RULES, now, ZONE)
        assert {s.incident_id for s in ledger.incidents()} == expected.keys()
        for state in ledger.incidents():
            steps = chain_of(state, RULES, now)
            assert [(s.level, s.due_at, s.confirmed_at, s.unit_id, s.status) for s in steps] == [
                (s.level, s.due_at, s.confirmed_at, s.unit_id, s.status)
                for s in expected[state.incident_id]
            ], (state.incident_id, now)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_histories())
def test_the_timeliness_counts_equal_the_reference_for_every_period(
    log: list[IncidentRecord | ConfirmationRecord],
) -> None:
    ledger = replay(log)
    reports = [r for r in log if isinstance(r, IncidentRecord)]
    periods = {*periods_around(truths(reports, ZONE).values()), Period.of_quarter(Quarter(2030, 1))}
    for period in sorted(periods):
        assert ledger.timeliness(period) == reference_timeliness(log, period, RULES, ZONE), period


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_histories())
def test_every_incident_touched_since_an_instant_is_found_by_the_day_index(
    log: list[IncidentRecord | ConfirmationRecord],
) -> None:
    ledger = replay(log)
    for item in log:
        start = item.received_at
        found = {s.incident_id for s in ledger.touched_since(start)}
        # What the chain's due times derive from: the revisions applied (the latest last)
        # and the confirmations that counted.
        touched = {
            state.incident_id
            for state in ledger.incidents()
            if any(
                moment is not None and moment >= start
                for moment in (
                    state.last_received_at,
                    *(done.at for done in state.confirmations.values()),
                )
            )
        }
        assert touched <= found, start
