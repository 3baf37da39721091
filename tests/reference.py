"""The reference model: a deliberately naive function from a log to the contract's summary.

It recomputes everything from scratch for each question, straight from the rules as the
contract words them (§3, §7), so that the incremental Ledger (withdraw-then-deposit,
month cells, the statistical window carried from revision to revision) can be checked
against it. It shares only the pure per-record rules (grade_for, month_of,
is_near_miss), which have exhaustive tests of their own; the supplementary window is
recomputed here from the calendar, day by day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import pairwise, takewhile
from typing import Any

from safetywatch.accounting.chain import ChainRules
from safetywatch.accounting.grade_tables import GEOLOGICAL_THREAT_PLAN, national_tables
from safetywatch.accounting.grading import grade_for, highest_grade_reached
from safetywatch.accounting.periods import Period, month_of
from safetywatch.accounting.policy import (
    grading_figures_of,
    has_threat_figures,
    is_near_miss,
    reported_moment,
    yuan_to_fen,
)
from safetywatch.events.categories import Category, Group, Origin
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.documents import StepStatus
from safetywatch.events.grades import Grade
from safetywatch.events.report import IncidentRecord
from safetywatch.regions.levels import Level

FIGURES = (
    "incidents",
    "threats",
    "fire_outbreaks",
    "deaths",
    "missing",
    "serious_injuries",
    "minor_injuries",
    "direct_loss_fen",
    "damaged_area",
    "late_reports",
    "near_misses",
    "late_supplements",
    "fatalities",
)

GROUPS: dict[Group, set[Category]] = {
    Group.PRODUCTION_SAFETY: {
        c
        for c in Category
        if c not in {Category.GEOLOGICAL_HAZARD, Category.FOREST_FIRE, Category.GRASSLAND_FIRE}
    },
    Group.INDUSTRIAL_MINING_COMMERCE: {
        Category.COAL_MINE,
        Category.METAL_NONMETAL_MINE,
        Category.HAZARDOUS_CHEMICALS,
        Category.FIREWORKS,
        Category.CONSTRUCTION,
        Category.OTHER,
    },
    Group.NATURAL_DISASTER: {
        Category.GEOLOGICAL_HAZARD,
        Category.FOREST_FIRE,
        Category.GRASSLAND_FIRE,
    },
}


@dataclass(frozen=True)
class Truth:
    """What the rules say about one incident after the whole log."""

    record: IncidentRecord
    month: int
    grade: Grade
    current_grade: Grade
    late_report: bool
    near_miss: bool
    late_supplements: int
    fatalities: int
    fatalities_missing: int
    threat_grade: Grade | None
    fire_outbreak: bool


def _window_closes(record: IncidentRecord, zone: tzinfo) -> datetime:
    """24:00 of the 30th (7th for road traffic and fire) local day after the occurrence."""
    days = 7 if record.category in {Category.ROAD_TRAFFIC, Category.FIRE} else 30
    last_day = record.occurred_at.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(), zone)


def _as_kept(record: IncidentRecord) -> bool:
    """Imported history without figures_as_of: the bureau's statistics as it kept them."""
    return record.origin is Origin.IMPORT and record.figures_as_of is None


def in_supplement_window(record: IncidentRecord, zone: tzinfo) -> bool:
    if _as_kept(record):
        return True
    return (record.figures_as_of or reported_moment(record)) < _window_closes(record, zone)


def is_late_supplement(previous: IncidentRecord, record: IncidentRecord, zone: tzinfo) -> bool:
    def casualties(r: IncidentRecord) -> tuple[int, ...]:
        return (r.deaths, r.missing, r.serious_injuries, r.minor_injuries)

    late = not _as_kept(record) and record.received_at >= _window_closes(record, zone)
    return late and casualties(previous) != casualties(record)


def _statistical(effective: list[IncidentRecord], zone: tzinfo) -> IncidentRecord:
    """The highest revision whose figures were true within the window, else the first."""
    within = [r for r in effective if in_supplement_window(r, zone)]
    return max(within, key=lambda r: r.revision) if within else effective[0]


def _grade(record: IncidentRecord, zone: tzinfo) -> Grade:
    return grade_for(record.category, grading_figures_of(record), record.occurred_at, zone)


def truths(log: Sequence[IncidentRecord], zone: tzinfo) -> dict[str, Truth]:
    by_incident: dict[str, list[IncidentRecord]] = {}
    for record in log:
        by_incident.setdefault(record.incident_id, []).append(record)
    result = {}
    for incident_id, records in by_incident.items():
        # A record takes effect when its revision is higher than every revision before
        # it in the log: the highest revision wins, and of equal ones the first.
        effective = [
            r for i, r in enumerate(records) if all(r.revision > e.revision for e in records[:i])
        ]
        winner = effective[-1]
        statistical = _statistical(effective, zone)
        result[incident_id] = Truth(
            record=winner,
            month=month_of(winner.occurred_at, zone),
            # The official grade is the statistical revision's (frozen with its figures).
            grade=_grade(statistical, zone),
            current_grade=_grade(winner, zone),
            # Imported history (its first record's origin) is never 迟报.
            late_report=records[0].origin is not Origin.IMPORT
            and reported_moment(records[0]) - winner.occurred_at
            > _first_report_limit(winner.category),
            near_miss=is_near_miss(winner),
            late_supplements=sum(is_late_supplement(a, b, zone) for a, b in pairwise(effective)),
            fatalities=statistical.deaths + statistical.missing,
            fatalities_missing=statistical.missing,
            threat_grade=(
                highest_grade_reached(GEOLOGICAL_THREAT_PLAN, grading_figures_of(winner))
                if winner.category is Category.GEOLOGICAL_HAZARD and has_threat_figures(winner)
                else None
            ),
            fire_outbreak=_below_minimum(winner, zone),
        )
    return result


def _first_report_limit(category: Category) -> timedelta:
    """迟报: Decree 493 art. 9's hour; natural disasters' 初报 within 2 hours."""
    natural = {Category.GEOLOGICAL_HAZARD, Category.FOREST_FIRE, Category.GRASSLAND_FIRE}
    return timedelta(hours=2 if category in natural else 1)


def _step(rules: ChainRules, category: Category, grade: Grade) -> timedelta:
    """A level's time: the area's own when it sets one; else 2 hours, but a geological
    hazard's 12 (小型, 中型) or 4 (大型, 特大型)."""
    if rules.step is not None:
        return rules.step
    if category is Category.GEOLOGICAL_HAZARD:
        return timedelta(hours=4 if grade.rank >= Grade.SERIOUS.rank else 12)
    return timedelta(hours=2)


def _below_minimum(record: IncidentRecord, zone: tzinfo) -> bool:
    """火情: a fire that reaches no bound of its table in force, the minimum included."""
    day = record.occurred_at.astimezone(zone).date()
    tables = sorted(national_tables(record.category), key=lambda t: t.effective_from)
    table = ([t for t in tables if t.effective_from <= day] or tables[:1])[-1]
    minimum = table.bounds.get(Grade.ORDINARY)
    figures = grading_figures_of(record)
    reached = [
        b for g, bounds in table.bounds.items() for c, b in bounds.items() if figures.of(c) >= b
    ]
    return minimum is not None and not reached


def _is_threat(record: IncidentRecord) -> bool:
    """险情: threat figures on a geological report with no casualty, injury or loss."""
    harm = (record.deaths, record.missing, record.serious_injuries, record.minor_injuries)
    return (
        record.category is Category.GEOLOGICAL_HAZARD
        and (record.threatened_people is not None or record.potential_loss_yuan is not None)
        and not any(harm)
        and not record.direct_loss_yuan
    )


def _apart(record: IncidentRecord) -> bool:
    """Counted apart: a road traffic or fire accident said not to be of business."""
    return record.category in {Category.ROAD_TRAFFIC, Category.FIRE} and (
        record.business_related is False
    )


def _figures(truth: Truth) -> dict[str, int]:
    record = truth.record
    threat = _is_threat(record)
    return {
        "incidents": int(not (threat or truth.fire_outbreak)),
        "threats": int(threat),
        "fire_outbreaks": int(truth.fire_outbreak),
        "deaths": record.deaths,
        "missing": record.missing,
        "serious_injuries": record.serious_injuries,
        "minor_injuries": record.minor_injuries,
        "direct_loss_fen": yuan_to_fen(record.direct_loss_yuan),
        "damaged_area": 0 if truth.fire_outbreak else _damaged_hundredths(record),
        "late_reports": int(truth.late_report),
        "near_misses": int(truth.near_miss),
        "late_supplements": truth.late_supplements,
        "fatalities": truth.fatalities,
    }


def _damaged_hundredths(record: IncidentRecord) -> int:
    """受害森林/草原面积 in 0.01 ha; the burned area where no damaged area is given."""
    damaged = {
        Category.FOREST_FIRE: record.damaged_forest_area_ha,
        Category.GRASSLAND_FIRE: record.damaged_grassland_area_ha,
    }
    if record.category not in damaged:
        return 0
    area = damaged[record.category]
    return round((record.burned_area_ha if area is None else area) * 100)


def _as_t(figures: dict[str, int]) -> dict[str, Any]:
    t: dict[str, Any] = {}
    for name in FIGURES:
        if name == "direct_loss_fen":
            t["direct_loss_yuan"] = figures[name] / 100
        elif name == "damaged_area":
            t["damaged_area_ha"] = figures[name] / 100
        else:
            t[name] = figures[name]
    return t


def _counted(truth: Truth, period: Period, prefix: str) -> bool:
    record = truth.record
    return (
        not record.retracted
        and period.first <= truth.month <= period.last
        and record.region_code.startswith(prefix)
    )


def summary_of(
    truths_by_incident: dict[str, Truth],
    period: Period,
    prefix: str,
    known_regions: Iterable[str] = (),
) -> dict[str, Any]:
    """The contract's summary of one period and region prefix, without the comparison."""
    zero = dict.fromkeys(FIGURES, 0)
    totals = dict(zero)
    by_category = {category: dict(zero) for category in Category}
    by_grade = dict.fromkeys(Grade, 0)
    by_region = {region: dict(zero) for region in known_regions if region.startswith(prefix)}
    groups = {group: dict(zero) for group in Group}
    apart = dict(zero)
    apart_by_category = {Category.ROAD_TRAFFIC: dict(zero), Category.FIRE: dict(zero)}
    apart_by_region: dict[str, dict[str, int]] = {}
    for truth in truths_by_incident.values():
        if not _counted(truth, period, prefix):
            continue
        record = truth.record
        figures = _figures(truth)  # once per incident: the rules are read once
        if _apart(record):
            for bucket in (
                apart,
                apart_by_category[record.category],
                apart_by_region.setdefault(record.region_code, dict(zero)),
            ):
                for name in FIGURES:
                    bucket[name] += figures[name]
            continue
        buckets = [
            totals,
            by_category[record.category],
            by_region.setdefault(record.region_code, dict(zero)),
        ]
        buckets += [groups[g] for g, members in GROUPS.items() if record.category in members]
        for bucket in buckets:
            for name in FIGURES:
                bucket[name] += figures[name]
        by_grade[truth.grade] += figures["incidents"]
    document: dict[str, Any] = {"period": period.label}
    if period.quarter is not None:
        document["quarter"] = period.quarter.label
    document.update(
        region=prefix,
        totals=_as_t(totals),
        by_category={c.value: _as_t(f) for c, f in by_category.items()},
        by_grade={g.value: n for g, n in by_grade.items()},
        by_region={r: _as_t(by_region[r]) for r in sorted(by_region)},
        groups={g.value: _as_t(f) for g, f in groups.items()},
        non_business={
            "totals": _as_t(apart),
            "by_category": {c.value: _as_t(f) for c, f in apart_by_category.items()},
            "by_region": {r: _as_t(apart_by_region[r]) for r in sorted(apart_by_region)},
        },
    )
    return document


def _change(now: float, before: float) -> float | None:
    """Percent to one decimal, half away from zero, in exact decimal arithmetic."""
    if before == 0:
        return None
    with localcontext() as context:
        context.prec = 60
        percent = (Decimal(now) - Decimal(before)) * 100 / Decimal(before)
        return float(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _compared(current: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    def changes(now: dict[str, Any], before: dict[str, Any]) -> dict[str, float | None]:
        return {name: _change(now[name], before[name]) for name in before}

    return {
        "period": other["period"],
        "totals": other["totals"],
        "groups": other["groups"],
        "change_percent": {
            "totals": changes(current["totals"], other["totals"]),
            "groups": {
                g: changes(current["groups"][g], other["groups"][g]) for g in other["groups"]
            },
        },
    }


def summary_document(
    truths_by_incident: dict[str, Truth], period: Period, prefix: str, known: Iterable[str] = ()
) -> dict[str, Any]:
    """What ``GET /v1/summary`` answers: the summary and its two comparisons."""
    known = list(known)
    current = summary_of(truths_by_incident, period, prefix, known)
    last_year = summary_of(truths_by_incident, period.shifted(-12), prefix, known)
    before = summary_of(truths_by_incident, period.shifted(-period.length), prefix, known)
    return {
        **current,
        "comparison": {
            "same_period_last_year": _compared(current, last_year),
            "previous_period": _compared(current, before),
        },
    }


def reference_summary(
    log: Sequence[IncidentRecord],
    period: Period,
    prefix: str,
    zone: tzinfo,
    known_regions: Iterable[str] = (),
) -> dict[str, Any]:
    return summary_of(truths(log, zone), period, prefix, known_regions)


# -- the reporting chain (§8) --------------------------------------------------------


@dataclass(frozen=True)
class ReferenceStep:
    level: Level
    due_at: datetime | None
    confirmed_at: datetime | None
    unit_id: str | None
    status: StepStatus


def _alert_grade(record: IncidentRecord, official: Grade) -> Grade:
    """The higher of the official grade and the revision's threat grade."""
    if record.category is Category.GEOLOGICAL_HAZARD and has_threat_figures(record):
        threat = highest_grade_reached(GEOLOGICAL_THREAT_PLAN, grading_figures_of(record))
        return max(official, threat, key=lambda g: g.rank)
    return official


def _officials(effective: list[IncidentRecord], zone: tzinfo) -> list[Grade]:
    """The official grade after each revision: the statistical revision's so far."""
    return [_grade(_statistical(effective[: n + 1], zone), zone) for n in range(len(effective))]


def _required(
    record: IncidentRecord, official: Grade, *, retracting: bool = True
) -> tuple[Level, ...]:
    """§8's table, read for one revision and the official grade after it: none when it
    retracts (unless ``retracting`` is False: what its figures would require)."""
    if record.retracted and retracting:
        return ()
    grade, near_miss = _alert_grade(record, official), is_near_miss(record)
    levels = [Level.COUNTY, Level.CITY]
    if grade.rank >= Grade.RELATIVELY_SERIOUS.rank or near_miss:
        levels.append(Level.PROVINCE)
    if grade.rank >= Grade.SERIOUS.rank:
        levels.append(Level.NATIONAL)
    return tuple(levels)


def _status(due: datetime | None, confirmed: datetime | None, now: datetime) -> StepStatus:
    if confirmed is not None:
        on_time = due is None or confirmed <= due
        return StepStatus.CONFIRMED if on_time else StepStatus.LATE
    if due is None:
        return StepStatus.WAITING
    return StepStatus.OVERDUE if now > due else StepStatus.OPEN


def _required_since(effective: list[IncidentRecord], level: Level, zone: tzinfo) -> datetime:
    """The county and the city from the first report; a level above from the earliest
    revision of the unbroken run of revisions whose figures require it (a retraction
    in between does not restart it)."""
    if level.rank < Level.PROVINCE.rank:
        return effective[0].received_at
    revisions = list(zip(effective, _officials(effective, zone), strict=True))
    run = list(
        takewhile(lambda pair: level in _required(*pair, retracting=False), reversed(revisions))
    )
    return run[-1][0].received_at


def reference_chains(
    log: Sequence[IncidentRecord | ConfirmationRecord],
    rules: ChainRules,
    now: datetime,
    zone: tzinfo,
) -> dict[str, list[ReferenceStep]]:
    """Every incident's chain, recomputed from the whole log for the instant ``now``."""
    reports = [r for r in log if isinstance(r, IncidentRecord)]
    confirmed: dict[tuple[str, Level], ConfirmationRecord] = {}
    for item in log:
        if isinstance(item, ConfirmationRecord):
            confirmed.setdefault((item.incident_id, item.level), item)  # the first counts
    chains = {}
    for incident_id, truth in truths(reports, zone).items():
        records = [r for r in reports if r.incident_id == incident_id]
        effective = [
            r for i, r in enumerate(records) if all(r.revision > e.revision for e in records[:i])
        ]
        steps: list[ReferenceStep] = []
        below: datetime | None = None
        step = _step(rules, truth.record.category, _alert_grade(truth.record, truth.grade))
        # Imported history (its first record says so) has no chain at all.
        imported = records[0].origin is Origin.IMPORT
        for level in () if imported else _required(truth.record, truth.grade):
            since = _required_since(effective, level, zone)
            if level is Level.COUNTY:
                due: datetime | None = records[0].received_at + step
            elif below is None:
                due = None
            else:
                due = max(below, since) + step
            done = confirmed.get((incident_id, level))
            at = done.received_at if done else None
            unit = done.unit_id if done else None
            steps.append(ReferenceStep(level, due, at, unit, _status(due, at, now)))
            below = at
        chains[incident_id] = steps
    return chains


def reference_timeliness(
    log: Sequence[IncidentRecord | ConfirmationRecord],
    period: Period,
    rules: ChainRules,
    zone: tzinfo,
) -> dict[tuple[str, Level, bool], int]:
    """On-time and late confirmations by region and level of the period's incidents."""
    reports = [r for r in log if isinstance(r, IncidentRecord)]
    facts = truths(reports, zone)
    counts: dict[tuple[str, Level, bool], int] = {}
    for incident_id, steps in reference_chains(
        log, rules, datetime.max.replace(tzinfo=UTC), zone
    ).items():
        truth = facts[incident_id]
        if not period.first <= truth.month <= period.last:
            continue
        for step in steps:
            if step.confirmed_at is not None:
                key = (truth.record.region_code, step.level, step.status is StepStatus.CONFIRMED)
                counts[key] = counts.get(key, 0) + 1
    return counts


def counts_only(document: dict[str, Any]) -> dict[str, Any]:
    """A ``/v1/summary`` answer without what the area file decides (the rates and the
    control targets, checked against hand-worked figures elsewhere): what this model
    recomputes from the log."""
    return {key: value for key, value in document.items() if key not in ("rates", "targets")}
