"""Alert rules as the area YAML declares them, validated with errors naming the key."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from safetywatch.accounting import TargetFigure
from safetywatch.events import Category, Grade

AlertSeverity = Literal["warning", "critical"]
RuleName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
#: ``each`` = every configured region but the area itself; ``area`` = the whole area;
#: otherwise a region code prefix of 2, 4 or 6 digits.
Scope = Annotated[str, Field(pattern=r"^(each|area|\d{2}|\d{4}|\d{6})$")]
Figure = Literal[
    "incidents", "fatalities", "deaths", "serious_injuries", "direct_loss_yuan", "late_reports"
]
#: The current calendar period a count rule looks at.
PeriodKindName = Literal["month", "quarter", "year"]
CategoryOrAll = Category | Literal["all"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: RuleName


class _Thresholds(_Rule):
    warn: Annotated[float, Field(ge=0)]
    critical: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> _Thresholds:
        if self.critical < self.warn:
            raise ValueError(f"critical ({self.critical}) is below warn ({self.warn})")
        return self


#: Per-incident alerts shown on their own, per rule, severity and region (see README).
MaxIncidentAlerts = Annotated[int, Field(ge=1, le=1000)]


class GradeRule(_Rule):
    """Every incident at or above ``min_grade`` (and every near miss) alerts on its own."""

    kind: Literal["grade"]
    min_grade: Grade = Grade.RELATIVELY_SERIOUS
    severity: AlertSeverity = "critical"
    near_misses: bool = True
    near_miss_severity: AlertSeverity = "warning"
    hold_hours: Annotated[float, Field(gt=0, le=24 * 90)] = 24
    max_incident_alerts: MaxIncidentAlerts = 20


class QuarterlyCountRule(_Thresholds):
    """A figure of the current quarter (or month, or year) at or above warn/critical."""

    kind: Literal["quarterly_count"]
    figure: Figure
    period: PeriodKindName = "quarter"
    category: CategoryOrAll = "all"
    scope: Scope = "area"


class ControlTargetRule(_Rule):
    """The year's control target (安全生产控制指标) of every region the area file's
    ``targets`` section sets one for: warns at ``warn_share`` of it, critical at it; also
    warns when running ahead of the time progress (时间进度: months of the year so far,
    the current one included, over 12) as rule ``<name>_pace``, once the figure reaches
    ``pace_minimum``. Counts work-safety accidents, as the statistics do."""

    kind: Literal["control_target"]
    #: Which target: the work-safety deaths, or the 较大 and above accidents.
    target: TargetFigure = TargetFigure.DEATHS
    pace_minimum: Annotated[float, Field(ge=0)] = 3
    warn_share: Annotated[float, Field(gt=0, le=1)] = 0.8

    @model_validator(mode="before")
    @classmethod
    def _targets_live_in_their_section(cls, data: object) -> object:
        if isinstance(data, dict) and (
            moved := sorted({"targets", "figure", "category"} & set(data))
        ):
            raise ValueError(
                f"{', '.join(moved)}: a control target is set per year and region in the area "
                'file\'s targets section (targets: {2026: {"520201": {deaths: 20}}}) and counts '
                "work-safety accidents; the rule names which target: deaths or serious_accidents"
            )
        return data


class YearOverYearRule(_Rule):
    """The current period so far against the same span last year (同比上升): on 30 November
    the quarter's 1 October – 30 November against 1 October – 30 November last year."""

    kind: Literal["year_over_year"]
    figure: Figure
    period: PeriodKindName = "quarter"
    category: CategoryOrAll = "all"
    scope: Scope = "area"
    min_increase_percent: Annotated[float, Field(ge=0)] = 20
    min_increase: Annotated[float, Field(ge=0)] = 1
    severity: AlertSeverity = "warning"


class ClusterRule(_Rule):
    """At least ``count`` incidents of a category in one region within a sliding window."""

    kind: Literal["cluster"]
    category: Category
    count: Annotated[int, Field(ge=2, le=10_000)]
    window_days: Annotated[float, Field(gt=0, le=366)]
    scope: Scope = "each"
    severity: AlertSeverity = "warning"


class LateReportRule(_Rule):
    """Every incident whose first report was late (迟报) alerts on its own."""

    kind: Literal["late_report"]
    severity: AlertSeverity = "warning"
    hold_hours: Annotated[float, Field(gt=0, le=24 * 90)] = 24
    max_incident_alerts: MaxIncidentAlerts = 20


Rule = Annotated[
    GradeRule
    | QuarterlyCountRule
    | ControlTargetRule
    | YearOverYearRule
    | ClusterRule
    | LateReportRule,
    Field(discriminator="kind"),
]
