"""The reference model: a deliberately naive function from a log to the contract §5 summary.

It recomputes everything from scratch for each question, straight from the rules
as contract §3 words them, so that the incremental Ledger (withdraw-then-deposit, cell
bookkeeping) can be checked against it. It shares only the pure per-record rules
(grade_for, quarter_of, is_near_miss, is_late_supplement), which have exhaustive
tests of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import pairwise
from typing import Any

from safetywatch.accounting import (
    LATE_REPORT_AFTER,
    Grade,
    Quarter,
    grade_for,
    grading_figures_of,
    is_late_supplement,
    is_near_miss,
    quarter_of,
    yuan_to_fen,
)
from safetywatch.events import Category, IncidentRecord

FIGURES = (
    "incidents",
    "deaths",
    "missing",
    "serious_injuries",
    "minor_injuries",
    "direct_loss_fen",
    "late_reports",
    "near_misses",
    "late_supplements",
)


@dataclass(frozen=True)
class Truth:
    """What the rules say about one incident after the whole log."""

    record: IncidentRecord
    quarter: Quarter
    grade: Grade
    late_report: bool
    near_miss: bool
    late_supplements: int


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
        first_received: datetime = records[0].received_at
        result[incident_id] = Truth(
            record=winner,
            quarter=quarter_of(winner.occurred_at, zone),
            grade=grade_for(winner.category, grading_figures_of(winner)),
            late_report=first_received - winner.occurred_at > LATE_REPORT_AFTER,
            near_miss=is_near_miss(winner),
            late_supplements=sum(is_late_supplement(a, b) for a, b in pairwise(effective)),
        )
    return result


def _figures(truth: Truth) -> dict[str, int]:
    record = truth.record
    return {
        "incidents": 1,
        "deaths": record.deaths,
        "missing": record.missing,
        "serious_injuries": record.serious_injuries,
        "minor_injuries": record.minor_injuries,
        "direct_loss_fen": yuan_to_fen(record.direct_loss_yuan),
        "late_reports": int(truth.late_report),
        "near_misses": int(truth.near_miss),
        "late_supplements": truth.late_supplements,
    }


def _as_t(figures: dict[str, int]) -> dict[str, Any]:
    t: dict[str, Any] = {name: figures[name] for name in FIGURES if name != "direct_loss_fen"}
    t["direct_loss_yuan"] = figures["direct_loss_fen"] / 100
    return t


def reference_summary(
    log: Sequence[IncidentRecord],
    quarter: Quarter,
    prefix: str,
    zone: tzinfo,
    known_regions: Iterable[str] = (),
) -> dict[str, Any]:
    return summary_of(truths(log, zone), quarter, prefix, known_regions)


def summary_of(
    truths_by_incident: dict[str, Truth],
    quarter: Quarter,
    prefix: str,
    known_regions: Iterable[str] = (),
) -> dict[str, Any]:
    """The contract §5 summary of one quarter and region prefix, from precomputed truths."""
    zero = dict.fromkeys(FIGURES, 0)
    totals = dict(zero)
    by_category = {category: dict(zero) for category in Category}
    by_grade = dict.fromkeys(Grade, 0)
    by_region = {region: dict(zero) for region in known_regions if region.startswith(prefix)}
    for truth in truths_by_incident.values():
        record = truth.record
        if (
            record.retracted
            or truth.quarter != quarter
            or not record.region_code.startswith(prefix)
        ):
            continue
        figures = _figures(truth)
        for bucket in (
            totals,
            by_category[record.category],
            by_region.setdefault(record.region_code, dict(zero)),
        ):
            for name in FIGURES:
                bucket[name] += figures[name]
        by_grade[truth.grade] += 1
    return {
        "quarter": quarter.label,
        "region": prefix,
        "totals": _as_t(totals),
        "by_category": {c.value: _as_t(f) for c, f in by_category.items()},
        "by_grade": {g.value: n for g, n in by_grade.items()},
        "by_region": {r: _as_t(by_region[r]) for r in sorted(by_region)},
    }
