"""The incremental ledger equals the naive reference model on generated histories."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, PeriodKind, Quarter
from safetywatch.accounting.summary import summary_document
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.decode import Rejection, decode_record
from safetywatch.events.report import IncidentRecord
from tests.histories import PREFIXES, histories
from tests.reference import Truth, truths
from tests.reference import summary_document as reference_document

ZONE = ZoneInfo("Asia/Shanghai")

#: How many histories CI checks per property (the README quotes it).
EXAMPLES = 400


def replay(log: list[IncidentRecord]) -> Ledger:
    """Through the aggregator's own decode, fast path included."""
    ledger = Ledger(ZONE)
    for record in log:
        raw = record.to_json_bytes()
        decoded = decode_record(record.incident_id.encode(), raw)
        assert not isinstance(decoded, Rejection | ConfirmationRecord), decoded
        ledger.apply(decoded, raw)
    return ledger


def periods_around(expected: Iterable[Truth]) -> list[Period]:
    """Every kind of period over the months the history touches: each month, its
    quarter and year, the year to date, a range across them all, and one far away."""
    months = sorted({truth.month for truth in expected})
    periods = {Period.of_quarter(Quarter(2030, 1))}
    for month in months:
        periods |= {
            Period.month(month),
            Period.of_quarter(Quarter.of_month(month)),
            Period.year(month // 12),
            Period.year_to_date(month),
        }
    if months:
        periods.add(Period(months[0], months[-1], PeriodKind.RANGE))
    return sorted(periods)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_every_summary_equals_the_reference(log: list[IncidentRecord]) -> None:
    ledger = replay(log)
    expected = truths(log, ZONE)
    for period in periods_around(expected.values()):
        for prefix in PREFIXES:
            assert summary_document(ledger, period, prefix) == reference_document(
                expected, period, prefix
            ), (period, prefix)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_every_incident_state_equals_the_reference(log: list[IncidentRecord]) -> None:
    ledger = replay(log)
    expected = truths(log, ZONE)
    assert len(ledger) == len(expected)
    for incident_id, truth in expected.items():
        state = ledger.incident(incident_id)
        assert state is not None
        assert ledger.record_of(state) == truth.record
        assert (state.month, state.grade) == (truth.month, truth.grade)
        assert state.current_grade == truth.current_grade
        assert state.fatalities == truth.fatalities
        assert state.threat_grade == truth.threat_grade
        assert state.fatalities_missing == truth.fatalities_missing
        assert (state.late_report, state.near_miss) == (truth.late_report, truth.near_miss)
        assert state.late_supplements == truth.late_supplements


@settings(max_examples=EXAMPLES // 4, deadline=None)
@given(histories())
def test_a_replica_replaying_the_same_log_holds_the_same_state(log: list[IncidentRecord]) -> None:
    first, second = replay(log), replay(log)
    for incident in first.incidents():
        twin = second.incident(incident.incident_id)
        assert twin is not None
        assert twin.derived(second.record_of(twin)) == incident.derived(first.record_of(incident))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.data())
def test_the_day_indexes_answer_windows_as_a_scan_of_every_incident_would(
    log: list[IncidentRecord], data: st.DataObject
) -> None:
    ledger = replay(log)
    # Windows that start and end close to the log's own instants, seen from other
    # offsets: where a day bucket of one offset overlaps the neighbouring days of another.
    moments = [m for r in log for m in (r.occurred_at, r.received_at)]
    near = st.builds(
        lambda moment, shift, hours: (moment + shift).astimezone(timezone(timedelta(hours=hours))),
        st.sampled_from(moments),
        st.timedeltas(timedelta(hours=-2), timedelta(hours=2)),
        st.sampled_from([0, 8, -5, 14, -12]),
    )
    start = data.draw(near, "start")
    end = data.draw(near.filter(lambda e: e >= start), "end")
    occurred = [s.incident_id for s in ledger.occurred_between(start, end)]
    assert sorted(occurred) == sorted(
        s.incident_id for s in ledger.incidents() if start <= s.occurred_at <= end
    )
    alerting = [s.incident_id for s in ledger.alerting_since(start)]
    assert sorted(alerting) == sorted(
        s.incident_id
        for s in ledger.incidents()
        if (moment := s.latest_alert_moment) is not None and moment >= start
    )
