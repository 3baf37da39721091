"""The per-record rules of the accounting: late reports (迟报), the supplementary window
(补报), near misses (较大涉险) and the figures grading reads. Pure functions of a record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from safetywatch.accounting.grading import GradingFigures
from safetywatch.accounting.periods import end_of_day_after
from safetywatch.events import Category, StoredRecord

#: Losses are accounted in fen (0.01 yuan) as integers, so that adding and later
#: subtracting a revision's contribution leaves exactly zero behind.
FEN_PER_YUAN = 100

#: 补报 (Decree 493 art. 13, in force 2007-06-01): "自事故发生之日起30日内，事故造成的
#: 伤亡人数发生变化的，应当及时补报。道路交通事故、火灾事故自发生之日起7日内…". The
#: days are counted as the Civil Code counts a period (民法典 arts. 201, 203, in force
#: 2021-01-01): the day of the accident is not counted, the last day ends at 24:00 in the
#: area's time. The same window bounds the statistics: a revision whose figures were
#: true after it updates the incident, not its ``fatalities`` or its official grade.
SUPPLEMENT_DAYS = 30
SHORT_SUPPLEMENT_DAYS = 7
_SHORT_WINDOW_CATEGORIES = frozenset({Category.ROAD_TRAFFIC, Category.FIRE})

#: 较大涉险 (《生产安全事故信息报告和处置办法》, 安监总局令第21号 art. 26, in force
#: 2009-07-01): (1) 涉险10人以上; (2) 3 or more trapped or missing — together, 3 trapped
#: and 1 missing is 4 people in danger; (3) 500 or more evacuated; (4) serious pollution
#: of the environment (生活水源、农田、河流、水库、湖泊、人员密集场所); (5) a key site or
#: facility endangered. Flagged whatever the grade; (6), "other", is left to people.
NEAR_MISS_AT_RISK = 10
NEAR_MISS_PEOPLE = 3
NEAR_MISS_EVACUATED = 500


def graded_area(record: StoredRecord) -> tuple[float, bool]:
    """The area a fire is graded by — the damaged forest or grassland area — and whether
    the burned area (过火面积, larger) stood in for it because none was reported."""
    if record.category is Category.FOREST_FIRE:
        damaged = record.damaged_forest_area_ha
    elif record.category is Category.GRASSLAND_FIRE:
        damaged = record.damaged_grassland_area_ha
    else:
        return 0.0, False
    if damaged is None:
        return record.burned_area_ha, record.burned_area_ha > 0
    return damaged, False


def hundredths(area_ha: float) -> int:
    """An area as the ``damaged_area`` figure counts it: in 0.01 ha, so that sums and
    withdrawals are exact."""
    return round(area_ha * 100)


def has_threat_figures(record: StoredRecord) -> bool:
    return record.threatened_people is not None or record.potential_loss_yuan is not None


def grading_figures_of(record: StoredRecord) -> GradingFigures:
    return GradingFigures(
        casualties=record.casualties,
        serious_injuries=record.serious_injuries,
        direct_loss_yuan=record.direct_loss_yuan,
        area_ha=graded_area(record)[0],
        threatened_people=record.threatened_people or 0,
        potential_loss_yuan=record.potential_loss_yuan or 0,
    )


def is_near_miss(record: StoredRecord) -> bool:
    return (
        (record.trapped or 0) + record.missing >= NEAR_MISS_PEOPLE
        or (record.evacuated or 0) >= NEAR_MISS_EVACUATED
        or (record.people_at_risk or 0) >= NEAR_MISS_AT_RISK
        or record.drinking_water_polluted
        or record.critical_site_endangered
    )


def is_threat(record: StoredRecord) -> bool:
    """险情: a geological report with threat figures and no casualty, injury or loss.
    It counts among the threats, not the incidents (地质灾害灾情X起、险情Y处)."""
    return (
        record.category is Category.GEOLOGICAL_HAZARD
        and has_threat_figures(record)
        and not (
            record.deaths
            or record.missing
            or record.serious_injuries
            or record.minor_injuries
            or record.direct_loss_yuan
        )
    )


def is_non_business(record: StoredRecord) -> bool:
    """A road traffic or fire accident its unit says is not of business (非生产经营性):
    not a 生产安全事故, counted apart (``events.APART_CATEGORIES`` has the sources). Absent
    means business, so that every earlier record keeps its meaning."""
    return record.business_related is False


def reported_moment(record: StoredRecord) -> datetime:
    """When the unit reported: its own ``reported_at`` (stamped as the report was written
    or queued) when that lies between the occurrence and the receipt, else when the
    gateway received it. Lateness (迟报) is judged from this, so a report kept in an
    outbox by a dead network is not blamed on the unit."""
    reported = record.reported_at
    if reported is not None and record.occurred_at <= reported <= record.received_at:
        return reported
    return record.received_at


def supplement_days(category: Category) -> int:
    return SHORT_SUPPLEMENT_DAYS if category in _SHORT_WINDOW_CATEGORIES else SUPPLEMENT_DAYS


#: The days of each category's window, looked up once per record by the replay.
SUPPLEMENT_WINDOW_DAYS = {category: supplement_days(category) for category in Category}
#: How long every window lasts at least, whatever the day and the zone: its days less 3 h
#: (a daylight-saving change makes a day of 23 h).
SURELY_OPEN = {
    category: timedelta(days=days, hours=-3) for category, days in SUPPLEMENT_WINDOW_DAYS.items()
}


def supplement_window_end(record: StoredRecord, zone: tzinfo) -> float:
    """``supplement_window_closes`` as a POSIX time: what the replay compares."""
    return end_of_day_after(record.occurred_at, SUPPLEMENT_WINDOW_DAYS[record.category], zone)


def supplement_window_closes(record: StoredRecord, zone: tzinfo) -> datetime:
    """When the revision's supplementary window closes: 24:00 (area time) of the 30th day
    (7th for road traffic and fire) after the date it occurred on."""
    return datetime.fromtimestamp(supplement_window_end(record, zone), UTC)


def figures_true_at(record: StoredRecord) -> datetime:
    """When the revision's casualty figures were true: its ``figures_as_of``, else when
    the unit reported (``reported_moment``: its plausible ``reported_at``, else receipt)."""
    return record.figures_as_of or reported_moment(record)


def record_casualties(record: StoredRecord) -> tuple[int, int, int, int]:
    """Deaths, missing, serious and minor injuries: a change of any is a supplement."""
    return (record.deaths, record.missing, record.serious_injuries, record.minor_injuries)


def in_supplement_window(revision: StoredRecord, zone: tzinfo) -> bool:
    """Its figures were true before the window closed: they count in the statistics."""
    return figures_true_at(revision) < supplement_window_closes(revision, zone)


def is_late_supplement(previous: StoredRecord, revision: StoredRecord, zone: tzinfo) -> bool:
    """A revision received after the window closed that changes the casualty figures:
    applied, counted apart — and still in the statistics if they were true within it."""
    closes = supplement_window_closes(revision, zone)
    changed = record_casualties(revision) != record_casualties(previous)
    return changed and revision.received_at >= closes


def yuan_to_fen(yuan: float) -> int:
    return round(yuan * FEN_PER_YUAN)
