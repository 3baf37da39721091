"""Hypothesis strategies for hostile input, shared by the gateway fuzzing and the
decoder equivalence tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from safetywatch.accounting.layout import figures
from safetywatch.events.report import IncidentRecord, IncidentReport
from tests.reports import report

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=15,
)
FIELDS = list(IncidentReport.model_fields)
RECORD_FIELDS = list(IncidentRecord.model_fields)

#: Values on the edges where two JSON validators are most likely to disagree.
EDGE_VALUES: list[Any] = [
    "2024-01-01T00:00:00-00:00",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00+05:60",
    "2024-01-01T24:00:00+00:00",
    "2024-01-01T23:59:60+00:00",
    "2024-01-01 00:00:00+00:00",
    "2024-01-01t00:00:00z",
    "2024-01-01T00:00:00.1234567+00:00",
    "2024-01-01T00:00:00.5Z",
    "2024-01-01T00:00:00,5Z",
    "2024-01-01T00:00+00:00",
    "2024-02-30T00:00:00+00:00",
    "0000-01-01T00:00:00+00:00",
    "2024-01-01T00:00:00+0800",
    "2024-01-01T00:00:00Z\n",
    "2024-01-01",
    # Accepted by pydantic's own parser, and not RFC 3339: refused since a year-1 date
    # once killed the aggregator.
    "0",
    "1700000000",
    "2024-01-01_00:00:00+08:00",
    "0001-01-01T00:00:00+08:00",
    "9999-12-31T23:59:59+00:00",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2199-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    10**4000,
    100_000,
    100_001,
    "520201\n",
    "520201-T1\x1f520201",  # the fast path's separator inside a value
    "unit-1\x1f",
    "520201-T1\n",
    "unit-1\n",
    "５２０２０１",
    1.0,
    -0.0,
    1e400,
    10**30,
    True,
    "x" * 201,
    "x" * 4001,
    {"lat": 26.5, "lon": 104.8},
    {"lat": 26.5, "lon": 104.8, "alt": 1},
    {"lat": 91, "lon": 0},
    {"lat": "26.5", "lon": 104.8},
]


@st.composite
def mutated_reports(draw: st.DrawFn) -> dict[str, Any]:
    occurred = (datetime.now(UTC) - timedelta(minutes=draw(st.integers(1, 10_000)))).isoformat()
    document: dict[str, Any] = report(
        f"520201-F{draw(st.integers(0, 50))}", draw(st.integers(1, 3)), occurred_at=occurred
    )
    return _mutated(draw, document, FIELDS)


@st.composite
def mutated_records(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a stored record's JSON) with a few fields replaced, removed or added."""
    return _mutated(draw, dict(base), RECORD_FIELDS)


def _mutated(draw: st.DrawFn, document: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    for name in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            document[name] = draw(json_values)
        elif choice == 1:
            document[name] = draw(st.sampled_from(EDGE_VALUES))
        else:
            document.pop(name, None)
    if draw(st.integers(0, 9)) == 0:
        document[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    return document


#: A person count of a report: 0 to 100,000.
casualties = st.integers(0, 100_000)
#: An incident's figures across their whole domain (``fields.FIGURES``).
incident_figures = st.builds(
    figures,
    incidents=st.integers(0, 1),
    threats=st.integers(0, 1),
    fire_outbreaks=st.integers(0, 1),
    deaths=casualties,
    missing=casualties,
    serious_injuries=casualties,
    minor_injuries=casualties,
    direct_loss_fen=st.integers(0, 10**15),
    damaged_area=st.integers(0, 10**9),
    late_reports=st.integers(0, 1),
    near_misses=st.integers(0, 1),
    late_supplements=st.integers(0, 100_000),
    fatalities=st.integers(0, 200_000),
    fatalities_missing=casualties,
)
