"""Annual control targets (安全生产控制指标, contract §7) and the progress against them.

A region's targets for a year are the work-safety deaths (死亡人数) and the 较大 and
above work-safety accidents (较大事故起数) it should stay under. Progress is judged
against 时间进度 *by months*: the statistics are kept and published by whole months, so
"1—N月" is N/12 of the year (one month of a year's summary in January is 1/12, and
the year is 12/12) — the same rule the control-target alert applies to the current
month. Figures are exact fractions; the document rounds at the end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from safetywatch.accounting.periods import Period
from safetywatch.accounting.summary import Summary
from safetywatch.events import Grade, Group


class TargetFigure(StrEnum):
    #: 生产安全事故死亡人数 (fatalities: deaths and missing, within the window).
    DEATHS = "deaths"
    #: 较大及以上生产安全事故起数.
    SERIOUS_ACCIDENTS = "serious_accidents"


TARGET_UNITS = {
    TargetFigure.DEATHS: ("人", "deaths"),
    TargetFigure.SERIOUS_ACCIDENTS: ("起", "accidents"),
}
_ABOVE_ORDINARY = (Grade.PARTICULARLY_SERIOUS, Grade.SERIOUS, Grade.RELATIVELY_SERIOUS)


@dataclass(frozen=True, slots=True)
class TargetKey:
    region: str  # a region prefix, as the summaries select
    year: int


#: The area file's targets: for each region and year, each figure's annual limit.
Targets = Mapping[TargetKey, Mapping[TargetFigure, int]]


def figure_value(figure: TargetFigure, summary: Summary) -> int:
    if figure is TargetFigure.DEATHS:
        return summary.groups[Group.PRODUCTION_SAFETY].fatalities
    return sum(summary.work_by_grade[g].incidents for g in _ABOVE_ORDINARY)


def year_progress(period: Period) -> Fraction | None:
    """The time progress of January to the period's last month, or None when the period
    is not the start of a year (a quarter from April has no annual progress)."""
    if period.first % 12 or period.last // 12 != period.first // 12:
        return None
    return Fraction(period.length, 12)


def _round(value: Fraction, places: int = 1) -> float:
    """Half away from zero, as bulletins round."""
    scale = 10**places
    return float(math.copysign(math.floor(abs(value) * scale + Fraction(1, 2)), value) / scale)


@dataclass(frozen=True, slots=True)
class TargetProgress:
    figure: TargetFigure
    value: int
    target: int | None = None
    progress: Fraction | None = None
    reason: str | None = None

    @property
    def share(self) -> Fraction | None:
        """The part of the target used; None for a target of 0 (不发生 is the target)."""
        assert self.target is not None
        return Fraction(self.value, self.target) if self.target else None

    @property
    def expected(self) -> Fraction:
        """The figure the time progress allows (控制进度): the target × the progress."""
        assert self.target is not None
        assert self.progress is not None
        return self.target * self.progress

    @property
    def points_over(self) -> float | None:
        """The share used minus the time progress, in percentage points, each rounded
        to one decimal first as the bulletin prints them."""
        if (share := self.share) is None:
            return None
        assert self.progress is not None
        return round(_round(share * 100) - _round(self.progress * 100), 1)

    @property
    def over_expected(self) -> Fraction:
        """Above the 控制进度 (positive) or below it (negative)."""
        return self.value - self.expected

    def to_json(self) -> dict[str, Any]:
        if self.target is None:
            return {"target": None, "value": self.value, "reason": self.reason}
        assert self.progress is not None
        share = self.share
        return {
            "target": self.target,
            "value": self.value,
            "share_percent": None if share is None else _round(share * 100),
            "time_progress_percent": _round(self.progress * 100),
            "time_progress_basis": "months",
            "expected_by_progress": _round(self.expected),
            "points_above_progress": self.points_over,
            "above_progress_by": _round(self.over_expected),
        }


def progress_of(
    figure: TargetFigure, summary: Summary, targets: Targets, region: str
) -> TargetProgress:
    value = figure_value(figure, summary)
    period = summary.period
    if (progress := year_progress(period)) is None:
        return TargetProgress(
            figure, value, reason=f"{period.label} is not a year or January to a month of one"
        )
    year = period.first // 12
    target = targets.get(TargetKey(region, year), {}).get(figure)
    if target is None:
        return TargetProgress(figure, value, reason=f"no {figure.value} target for {year}")
    return TargetProgress(figure, value, target, progress)


def progress_all(summary: Summary, targets: Targets, region: str) -> list[TargetProgress]:
    return [progress_of(figure, summary, targets, region) for figure in TargetFigure]
