"""Whatever the gateway accepts, the aggregator applies: one model, one set of bounds.

A report with ``occurred_at`` in year 1 once passed the gateway and then killed the
aggregator's follower in ``quarter_of``, on every replica and at every restart. The
class of such inputs is "valid by the model, beyond what the aggregator computes
with", so this draws reports from the whole domain of every field (extreme dates and
offsets, every numeric edge) and sends each one the gateway accepts through the
aggregator's decode, apply, queries, metrics and alert rules, asserting nothing raises.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest
from pydantic import ValidationError

from safetywatch.accounting.bulletin import Language as BulletinLanguage
from safetywatch.accounting.bulletin import bulletin_facts, bulletin_text
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period
from safetywatch.accounting.register import RegisterFilter, matching
from safetywatch.accounting.summary import summary_document
from safetywatch.aggregator.alerts import AlertBoard
from safetywatch.aggregator.api.documents import incident_document
from safetywatch.aggregator.metrics.alerts import AlertCollector
from safetywatch.aggregator.metrics.counts import LedgerCollector, exposed_periods
from safetywatch.aggregator.metrics.pipeline import PipelineCollector
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.config.area import load_area
from safetywatch.events.categories import Category
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.decode import Rejection, decode_record
from safetywatch.events.report import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_REVISION,
    IncidentRecord,
    IncidentReport,
    ReportContext,
    StampedReport,
)
from safetywatch.regions import Level

AREA = load_area()
EXAMPLES = 500

offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
any_instant = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
near_the_bounds = st.sampled_from([EARLIEST_MOMENT, LATEST_MOMENT]).flatmap(
    lambda bound: st.timedeltas(timedelta(days=-2), timedelta(days=2)).map(lambda d: bound + d)
)
instants = st.one_of(
    any_instant, near_the_bounds, st.sampled_from([datetime(2026, 1, 1, tzinfo=UTC)])
)

#: The gateway's clock: anywhere a report may be, and most often at the edges.
gateway_clocks = st.one_of(
    near_the_bounds.filter(lambda moment: EARLIEST_MOMENT <= moment < LATEST_MOMENT),
    st.datetimes(
        min_value=EARLIEST_MOMENT.replace(tzinfo=None),
        max_value=(LATEST_MOMENT - timedelta(microseconds=1)).replace(tzinfo=None),
        timezones=st.just(UTC),
    ),
)


@st.composite
def date_times(draw: st.DrawFn) -> str:
    """RFC 3339 text of any instant, in any offset, with 0–9 fractional digits."""
    moment = draw(instants)
    try:
        local = moment.astimezone(draw(offsets))
    except OverflowError:
        local = moment
    digits = draw(st.integers(0, 9))
    fraction = (
        ("." + f"{local.microsecond:06d}{draw(st.integers(0, 999)):03d}"[:digits]) if digits else ""
    )
    offset = (
        local.isoformat()[-6:]
        if local.utcoffset()
        else draw(st.sampled_from(["Z", "+00:00", "-00:00"]))
    )
    return local.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + fraction + offset


def numbers(top: float) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from([0, 1, top, top + 1, -1, 0.5, 5e-324, top - 0.01, -0.0]),
        st.floats(0, top * 2, allow_nan=False, allow_infinity=False),
    )


def counts(top: int) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from([0, 1, 2, 3, 10, 30, 100, top, top + 1, -1]), st.integers(0, top)
    )


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    region = draw(st.sampled_from(sorted(AREA.region_codes)))
    category = draw(st.sampled_from(list(Category)))
    document: dict[str, Any] = {
        "incident_id": region
        + draw(st.from_regex(r"-[A-Za-z0-9][A-Za-z0-9._-]{0,57}", fullmatch=True)),
        "revision": draw(
            st.one_of(
                st.sampled_from([1, 2, MAX_REVISION, MAX_REVISION + 1, 10**4000]),
                st.integers(1, 10**7),
            )
        ),
        "category": category.value,
        "region_code": region,
        "occurred_at": draw(date_times()),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "retracted": st.booleans(),
        "reported_at": date_times(),
        "deaths": counts(100_000),
        "missing": counts(100_000),
        "serious_injuries": counts(100_000),
        "minor_injuries": counts(100_000),
        "trapped": counts(10_000_000),
        "evacuated": counts(10_000_000),
        "direct_loss_yuan": numbers(1e13),
        "burned_area_ha": numbers(1e7) if category is Category.FOREST_FIRE else st.just(0),
        "location": st.fixed_dictionaries({"lat": st.floats(-90, 90), "lon": st.floats(-180, 180)}),
        "title": st.text(max_size=200),
        "description": st.text(max_size=300),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True)):
        document[name] = draw(optional[name])
    return document


def through_the_gateway(
    document: dict[str, Any], received_at: datetime, level: Level | None = None
) -> IncidentRecord | None:
    """What the gateway does with a body: validate in context, then stamp; the bytes it
    writes are exactly the stamped record's."""
    context = ReportContext(received_at=received_at, configured_regions=AREA.region_codes)
    try:
        report = IncidentReport.model_validate_json(json.dumps(document), context=context)
    except ValidationError:
        return None
    written = StampedReport.of(report, received_at=received_at, unit_id="unit-1", unit_level=level)
    record = IncidentRecord.stamp(
        report, received_at=received_at, unit_id="unit-1", unit_level=level
    )
    assert written.to_json_bytes() == record.to_json_bytes()
    assert IncidentRecord.model_validate_json(written.to_json_bytes()) == record
    return record


def through_the_aggregator(record: IncidentRecord, now: datetime) -> None:
    """Everything the aggregator does with a record and then asks of its state."""
    raw = record.to_json_bytes()
    decoded = decode_record(record.incident_id.encode(), raw)
    assert not isinstance(decoded, Rejection), f"accepted by the gateway, refused later: {decoded}"
    assert not isinstance(decoded, ConfirmationRecord)
    ledger = Ledger(AREA.zone)
    ledger.apply(decoded, raw)
    state = ledger.incident(record.incident_id)
    assert state is not None
    json.dumps(incident_document(state, ledger, AREA, now).to_json(), ensure_ascii=False)
    periods = [Period.month(state.month), *(p.period for p in exposed_periods(now, AREA))]
    for period in periods:
        indicators = AREA.indicators.of(AREA.root.code)
        json.dumps(summary_document(ledger, period, "", AREA.region_codes, indicators))
        facts = bulletin_facts(
            ledger, period, "", AREA.place_for(""), indicators=indicators, parts=AREA.parts_of("")
        )
        for language in BulletinLanguage:
            bulletin_text(facts, language)
    register = matching(ledger, RegisterFilter(), AREA.zone)
    assert [s.incident_id for s in register] == ([] if record.retracted else [record.incident_id])
    pipeline = PipelineState(replay_complete=True)
    board = AlertBoard(ledger, AREA, lambda: now)
    board.refresh()
    assert board.failures == 0
    registry = CollectorRegistry()
    for collector in (
        LedgerCollector(ledger, AREA, pipeline, clock=lambda: now),
        PipelineCollector(ledger, pipeline),
        AlertCollector(board),
    ):
        registry.register(collector)
    generate_latest(registry)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    reports(),
    gateway_clocks,
    st.sampled_from([timedelta(0), timedelta(hours=2), timedelta(days=400)]),
    st.sampled_from([None, Level.CITY, Level.PROVINCE]),
)
@example(
    {
        "incident_id": "520201-Y1",
        "revision": 1,
        "category": "road_traffic",
        "region_code": "520201",
        "occurred_at": "0001-01-01T00:00:00+08:00",
    },
    datetime(2026, 11, 30, tzinfo=UTC),
    timedelta(0),
    None,
)
def test_whatever_the_gateway_accepts_the_aggregator_applies(
    document: dict[str, Any], received_at: datetime, later: timedelta, level: Level | None
) -> None:
    record = through_the_gateway(document, received_at, level)
    if record is not None:
        through_the_aggregator(record, received_at + later)


def test_the_year_one_report_is_refused_naming_occurred_at() -> None:
    document = {
        "incident_id": "520201-Y1",
        "revision": 1,
        "category": "road_traffic",
        "region_code": "520201",
        "occurred_at": "0001-01-01T00:00:00+08:00",
    }
    with pytest.raises(
        ValidationError, match="outside the supported span 1900-01-01 to 2200-01-01"
    ) as refused:
        IncidentReport.model_validate_json(json.dumps(document))
    assert [e["loc"] for e in refused.value.errors()] == [("occurred_at",)]
