"""Hypothesis strategies for incident histories: revisions, retractions, duplicates, disorder."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from safetywatch.events.categories import FIRE_CATEGORIES, Category
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.report import IncidentRecord
from safetywatch.regions.levels import Level

REGIONS = ("520201", "520203", "520204", "520281", "530102")
PREFIXES = ("", "52", "5202", "53", *REGIONS, "520299")

# Shanghai midnight at a month boundary inside a quarter, the Q1/Q2 boundary and the
# year boundary, as UTC instants; with ±30 h and the delays below, histories cross
# month, quarter and year boundaries and both edges of the 7- and 30-day windows.
BOUNDARIES = (
    datetime(2022, 1, 31, 16, 0, tzinfo=UTC),
    datetime(2022, 3, 31, 16, 0, tzinfo=UTC),
    datetime(2022, 12, 31, 16, 0, tzinfo=UTC),
    datetime(2023, 12, 31, 16, 0, tzinfo=UTC),
    datetime(2025, 12, 31, 16, 0, tzinfo=UTC),  # Decree 822 replaces the 2008 fire table
)

# Values on and around the grading bounds, so that revisions move incidents across grades.
CASUALTY_VALUES = st.sampled_from([0, 1, 2, 3, 9, 10, 29, 30])
INJURY_VALUES = st.sampled_from([0, 1, 3, 9, 10, 19, 49, 50, 99, 100])
LOSS_VALUES = st.sampled_from(
    [0, 0.01, 4999.99, 5000, 500_000, 999_999.99, 1_000_000, 4_999_999.995, 10_000_000, 1e8]
)
AREA_VALUES = st.sampled_from([0, 0.066, 0.067, 0.99, 1, 9.99, 10, 100, 1000])


@st.composite
def revisions(draw: st.DrawFn, incident_id: str) -> IncidentRecord:
    category = draw(st.sampled_from(list(Category)))
    occurred = draw(st.sampled_from(BOUNDARIES)) + draw(
        st.timedeltas(timedelta(hours=-30), timedelta(hours=30))
    )
    delay = draw(
        st.sampled_from(
            [
                timedelta(0),
                timedelta(minutes=59),
                timedelta(hours=1, seconds=1),
                timedelta(hours=2),
                timedelta(hours=2, seconds=1),
                timedelta(days=7),
                timedelta(days=7, seconds=1),
                timedelta(days=30),
                timedelta(days=30, seconds=1),
            ]
        )
    )
    if draw(st.booleans()):  # received around the close of the supplementary window
        delay = _window_closes(category, occurred) - occurred + draw(AROUND_THE_CLOSE)
    offset = draw(st.sampled_from([0, 8, -5]))
    return IncidentRecord.model_validate(
        {
            "incident_id": incident_id,
            "revision": draw(st.integers(1, 5)),
            # About one revision in six retracts; a later one may withdraw the retraction.
            "retracted": draw(st.integers(0, 5)) == 0,
            "category": category.value,
            "region_code": incident_id[:6],
            "occurred_at": occurred.astimezone(timezone(timedelta(hours=offset))).isoformat(),
            "deaths": draw(CASUALTY_VALUES),
            "missing": draw(st.sampled_from([0, 1, 3])),
            "serious_injuries": draw(INJURY_VALUES),
            "minor_injuries": draw(st.integers(0, 3)),
            "trapped": draw(st.sampled_from([None, 0, 2, 3])),
            "evacuated": draw(st.sampled_from([None, 499, 500])),
            "people_at_risk": draw(st.sampled_from([None, 9, 10])),
            "drinking_water_polluted": draw(st.integers(0, 9)) == 0,
            "critical_site_endangered": draw(st.integers(0, 9)) == 0,
            # Imported history now and then (origin as the first revision says it).
            **({"origin": "import"} if draw(st.integers(0, 5)) == 0 else {}),
            "direct_loss_yuan": draw(LOSS_VALUES),
            "burned_area_ha": draw(AREA_VALUES) if category in FIRE_CATEGORIES else 0,
            **_category_fields(draw, category),
            **_reported(draw, occurred, delay),
            **_figures_as_of(draw, category, occurred, delay),
            "received_at": (occurred + delay).isoformat(),
            "unit_id": draw(st.sampled_from(["unit-a", "unit-b"])),
        },
        strict=False,
    )


def _category_fields(draw: st.DrawFn, category: Category) -> dict[str, object]:
    """Damaged areas for fires (sometimes absent: the burned area then grades), threat
    figures for geological hazards (a threat when there are no casualties)."""
    fields: dict[str, object] = {}
    if category in (Category.ROAD_TRAFFIC, Category.FIRE):
        business = draw(st.sampled_from([None, True, False]))
        fields.update({} if business is None else {"business_related": business})
    if category is Category.FOREST_FIRE and draw(st.booleans()):
        fields["damaged_forest_area_ha"] = draw(
            st.sampled_from([0, 0.066, 0.067, 0.99, 1, 9.99, 10, 100, 1000])
        )
    if category is Category.GRASSLAND_FIRE and draw(st.booleans()):
        fields["damaged_grassland_area_ha"] = draw(
            st.sampled_from([0, 9.99, 10, 999, 1000, 5000, 8000])
        )
    if category is Category.GEOLOGICAL_HAZARD and draw(st.booleans()):
        fields["threatened_people"] = draw(st.sampled_from([0, 99, 100, 500, 1000]))
        fields["potential_loss_yuan"] = draw(st.sampled_from([0, 5e6, 5e7, 1e8]))
    return fields


AROUND_THE_CLOSE = st.sampled_from(
    [-timedelta(seconds=1), timedelta(0), timedelta(hours=1), timedelta(days=3)]
)


def _window_closes(category: Category, occurred: datetime) -> datetime:
    """24:00 Shanghai time of the 7th or 30th day after the occurrence date."""
    shanghai = ZoneInfo("Asia/Shanghai")
    days = 7 if category in (Category.ROAD_TRAFFIC, Category.FIRE) else 30
    last_day = occurred.astimezone(shanghai).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(), shanghai)


def _figures_as_of(
    draw: st.DrawFn, category: Category, occurred: datetime, delay: timedelta
) -> dict[str, object]:
    """When the figures were true: absent, at the occurrence, or on either side of the
    window's close when the record was received after it (a late 补报 true in time)."""
    closes = _window_closes(category, occurred)
    moments = [occurred, closes - timedelta(microseconds=1), closes]
    allowed = [m for m in moments if m <= occurred + delay]
    choice = draw(st.sampled_from([None, *allowed]))
    return {} if choice is None else {"figures_as_of": choice.isoformat()}


def _reported(draw: st.DrawFn, occurred: datetime, delay: timedelta) -> dict[str, object]:
    """A unit's own report time: none, on time, before the occurrence (ignored), or
    after the receipt (ignored)."""
    choice = draw(st.sampled_from(["none", "early", "at_receipt", "before", "after"]))
    moments = {
        "early": occurred + timedelta(minutes=10),
        "at_receipt": occurred + delay,
        "before": occurred - timedelta(seconds=1),
        "after": occurred + delay + timedelta(seconds=1),
    }
    if choice == "none" or moments[choice] > occurred + delay + timedelta(seconds=1):
        return {}
    return {"reported_at": moments[choice].isoformat()}


@st.composite
def histories(
    draw: st.DrawFn, max_incidents: int = 8, max_records: int = 40
) -> list[IncidentRecord]:
    """A topic's worth of records in one arbitrary log order, with exact and retried duplicates."""
    ids = [
        f"{region}-I{n}"
        for n, region in enumerate(
            draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=max_incidents))
        )
    ]
    records = draw(
        st.lists(st.sampled_from(ids).flatmap(revisions), min_size=1, max_size=max_records)
    )
    repeats = draw(st.lists(st.sampled_from(records), max_size=len(records) // 2))
    retried = [
        r.model_copy(
            update={"received_at": r.received_at + timedelta(minutes=3), "unit_id": "retry"}
        )
        for r in repeats[::2]
    ]
    return draw(st.permutations(records + repeats[1::2] + retried))


#: Confirmation times around the report they follow: before it, on and just past the
#: 2 h steps, the 4 h and 12 h steps of geological hazards, much later.
CONFIRMATION_DELAYS = tuple(
    timedelta(seconds=s) for s in (-3600, 0, 3600, 7200, 7201, 14400, 14401, 43200, 43201, 108000)
)


@st.composite
def chain_histories(
    draw: st.DrawFn, max_incidents: int = 6, max_records: int = 24
) -> list[IncidentRecord | ConfirmationRecord]:
    """Histories with confirmations of every level mixed in, some before their report,
    some repeated, some by a second unit of the same level."""
    reports = draw(histories(max_incidents, max_records))
    confirmations = [
        ConfirmationRecord(
            level=draw(st.sampled_from(list(Level))),
            incident_id=after.incident_id,
            unit_id=draw(st.sampled_from(["office-a", "office-b"])),
            received_at=after.received_at + draw(st.sampled_from(CONFIRMATION_DELAYS)),
        )
        for after in draw(st.lists(st.sampled_from(reports), max_size=3 * len(reports)))
    ]
    log: list[IncidentRecord | ConfirmationRecord] = [*reports, *confirmations]
    return draw(st.permutations(log))
