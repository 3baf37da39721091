"""The area a deployment watches: its regions and time zone (the YAML file)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from safetywatch.accounting import (
    ChainRules,
    Criterion,
    Denominator,
    DenominatorKey,
    GradeTable,
    Indicators,
    TargetFigure,
    TargetKey,
    check_rising,
    national_tables,
    scale_of,
)
from safetywatch.alerting import Rule
from safetywatch.config.errors import ConfigError, describe_errors, dotted_key
from safetywatch.events import CATEGORY_NAMES, Category, Grade, Names
from safetywatch.regions import (
    Area,
    Level,
    Place,
    RegionCode,
    ancestor_at,
    level_of,
    repeated,
)


class CategorySetting(BaseModel):
    """How a city names a category, or that it does not use it (hidden: no zero series,
    no empty row; a report of it is still counted and shown)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    name_en: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    hidden: bool = False


class LocalGradeTable(BaseModel):
    """A province's or city's own table for a category, in force from a day later than
    the national one (a stricter rule); validated like the national tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    effective_from: date
    source: Annotated[str, Field(min_length=1, max_length=200)]
    bounds: dict[Grade, dict[Criterion, Annotated[float, Field(ge=0)]]]

    @model_validator(mode="after")
    def _a_later_table_of_the_same_criteria(self) -> LocalGradeTable:
        national = national_tables(self.category)
        latest = max(t.effective_from for t in national)
        if self.effective_from <= latest:
            raise ValueError(f"effective_from must be after {latest} (the national table's day)")
        allowed = frozenset(c for t in national for c in t.criteria)
        used = {c for grade in self.bounds.values() for c in grade}
        if used - allowed or Grade.ORDINARY in self.bounds:
            raise ValueError(
                f"bounds: {self.category} is graded by {', '.join(sorted(allowed))}, for the "
                "grades above ordinary"
            )
        self.table()  # bounds that do not rise with the grade are refused here
        return self

    def table(self) -> GradeTable:
        return check_rising(
            GradeTable(
                scale_of(self.category),
                self.effective_from,
                self.source,
                {grade: dict(bounds) for grade, bounds in self.bounds.items()},
                confirmed=False,
            )
        )


class ReportingRules(BaseModel):
    """The reporting chain's deadlines and the follow-ups (续报). By default each
    incident's deadline table (docs/deadlines.md: Decree 493's 2 hours, a geological
    hazard's 12 or 4); an area may set a stricter rule of its own for every category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Each level's step after the first report (county) or the level below; absent:
    #: the incident's deadline table.
    step_hours: Annotated[float, Field(gt=0, le=72)] | None = None
    #: A notable incident not reported final expects a new revision this often; absent:
    #: the deadline table.
    follow_up_hours: Annotated[float, Field(gt=0, le=24 * 30)] | None = None
    #: An overdue step stays in the metrics this long after its due time.
    hold_hours: Annotated[float, Field(gt=0, le=24 * 90)] = 72

    def chain_rules(self) -> ChainRules:
        def hours(value: float | None) -> timedelta | None:
            return None if value is None else timedelta(hours=value)

        return ChainRules(
            hours(self.step_hours), hours(self.follow_up_hours), timedelta(hours=self.hold_hours)
        )


class MetricSettings(BaseModel):
    """How finely the count series split the area: a province or the whole country
    would otherwise expose millions of series (regions × categories × periods)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The level of the count series' ``region`` label: county (every county, the
    #: default for a city), city, or province; finer figures are in the API.
    region_level: Level = Level.COUNTY

    @model_validator(mode="after")
    def _not_national(self) -> MetricSettings:
        if self.region_level is Level.NATIONAL:
            raise ValueError("region_level: county, city or province (national is one series)")
        return self


Figure = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=1949, le=2200)]


class DenominatorFigures(BaseModel):
    """A rate's denominators for a year or a quarter (each optional): 地区生产总值 in
    100 million yuan, 工矿商贸就业人员 in 10,000s, 机动车保有量 in 10,000s and 原煤产量 in
    million tonnes. A quarter's GDP and coal output are the quarter's own, not cumulative."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gdp_100m_yuan: Figure | None = None
    workers_10k: Figure | None = None
    vehicles_10k: Figure | None = None
    coal_output_mt: Figure | None = None

    def given(self) -> dict[Denominator, Fraction]:
        return {
            d: Fraction(value) for d in Denominator if (value := getattr(self, d.value)) is not None
        }


class YearDenominators(DenominatorFigures):
    """A year's figures, and optionally its quarters' and months' own (not cumulative)."""

    quarters: dict[Annotated[int, Field(ge=1, le=4)], DenominatorFigures] = Field(
        default_factory=dict
    )
    months: dict[Annotated[int, Field(ge=1, le=12)], DenominatorFigures] = Field(
        default_factory=dict
    )


class ControlTargets(BaseModel):
    """A region's annual control targets (安全生产控制指标): the work-safety deaths and the
    较大 and above work-safety accidents it should stay under."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deaths: Annotated[int, Field(ge=0)] | None = None
    serious_accidents: Annotated[int, Field(ge=0)] | None = None


class LevelName(BaseModel):
    """Who a level above the city is, for the people who read notifications and the app."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=64)]
    name_en: str = ""
    code: RegionCode | None = None


class AreaConfig(Area):
    """The area YAML: the regions and time zone, how many quarters the metrics expose,
    the categories' names, and the alert rules a city sets."""

    exposed_quarters: Annotated[int, Field(ge=1, le=40)] = 5
    categories: dict[Category, CategorySetting] = Field(default_factory=dict)
    grading: list[LocalGradeTable] = Field(default_factory=list)
    reporting: ReportingRules = ReportingRules()
    metrics: MetricSettings = MetricSettings()
    #: The levels above the city (province, national) by name.
    levels: dict[Level, LevelName] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    #: The rates' denominators by year and region (contract §7).
    denominators: dict[Year, dict[RegionCode, YearDenominators]] = Field(default_factory=dict)
    #: Annual control targets by year and region, read by the statistics and the alerts.
    targets: dict[Year, dict[RegionCode, ControlTargets]] = Field(default_factory=dict)

    @cached_property
    def indicators(self) -> Indicators:
        """The denominators and targets as the statistics read them."""
        denominators: dict[DenominatorKey, dict[Denominator, Fraction]] = {}
        for year, regions in self.denominators.items():
            for code, figures in regions.items():
                denominators[DenominatorKey(code, year)] = figures.given()
                for quarter, of_quarter in figures.quarters.items():
                    denominators[DenominatorKey(code, year, quarter)] = of_quarter.given()
                for month, of_month in figures.months.items():
                    denominators[DenominatorKey(code, year, month=month)] = of_month.given()
        targets = {
            TargetKey(code, year): {
                f: value for f in TargetFigure if (value := getattr(given, f.value)) is not None
            }
            for year, regions in self.targets.items()
            for code, given in regions.items()
        }
        return Indicators(denominators, targets)

    def region_code_of(self, prefix: str) -> str:
        """The code of the region a summary's prefix selects ("" for the whole area)."""
        if prefix in ("", self.root.prefix):
            return self.root.code
        region = self.region(prefix) or self.regions_by_prefix.get(prefix)
        return region.code if region is not None else prefix

    def parts_of(self, prefix: str) -> list[tuple[str, Place]]:
        """The regions one level below the one a prefix selects, for a bulletin's
        分地区 paragraph: (their prefix, their name)."""
        code = self.region_code_of(prefix)
        return [
            (r.prefix, Place(zh=r.name, en=r.name_en or r.name))
            for r in self.counties
            if r.parent == code
        ]

    @cached_property
    def metric_regions(self) -> frozenset[str]:
        """The ``region`` labels every count family has a series for: the configured
        regions at the metrics' level (and the ones above it)."""
        level = self.metrics.region_level
        return frozenset(
            ancestor_at(r.code, level) for r in self.regions if level_of(r.code).rank >= level.rank
        )

    def metric_region(self, code: str) -> str:
        """The ``region`` label of counts from ``code``."""
        return ancestor_at(code, self.metrics.region_level)

    def series_region(self, code: str) -> str:
        return self.metric_region(code)

    def office_of(self, level: Level, region_code: str) -> Place:
        """Who acts for a level on an incident in ``region_code``: the emergency
        management bureau of its county or of the city (the area itself), or the
        configured province and ministry (else just 省级 / 国家)."""
        if level in self.levels:
            named = self.levels[level]
            return Place(zh=named.name, en=named.name_en or named.name)
        if level is Level.COUNTY:
            region = self.region(region_code) or self.root
        elif level is Level.CITY:
            region = self.root
        else:
            return Place(zh=level.zh, en=level.value)
        english = region.name_en or region.name
        return Place(zh=f"{region.name}应急管理局", en=f"{english} Emergency Management Bureau")

    def grade_tables(self) -> dict[Category, list[GradeTable]]:
        """The local tables by category (the national ones are always there)."""
        tables: dict[Category, list[GradeTable]] = {}
        for local in self.grading:
            tables.setdefault(local.category, []).append(local.table())
        return tables

    @cached_property
    def category_names(self) -> dict[Category, Names]:
        """The national names, with the city's renamings."""
        names = dict(CATEGORY_NAMES)
        for category, setting in self.categories.items():
            national = names[category]
            zh, en = setting.name or national.zh, setting.name_en or national.en
            counted_zh = national.zh_counted.replace(national.zh, zh)
            counted_en = tuple(
                form.replace(national.en.lower(), en.lower()) for form in national.en_counted
            )
            names[category] = Names(zh, en, counted_zh, (counted_en[0], counted_en[1]))
        return names

    @cached_property
    def visible_categories(self) -> tuple[Category, ...]:
        """The categories the city uses, in the official order."""
        return tuple(
            c for c in Category if not (c in self.categories and self.categories[c].hidden)
        )

    @model_validator(mode="after")
    def _indicators_of_known_regions(self) -> AreaConfig:
        for section in ("denominators", "targets"):
            for year, regions in getattr(self, section).items():
                for code in regions:
                    if code not in self.region_codes:
                        raise ValueError(f"{section}[{year}].{code}: not a region of this area")
        return self

    @model_validator(mode="after")
    def _unique_rule_names(self) -> AreaConfig:
        if names := repeated([rule.name for rule in self.rules]):
            raise ValueError(f"rules: duplicate names {', '.join(names)}")
        return self


DEFAULT_AREA_FILE = "liupanshui.yaml"


#: libyaml's safe loader where PyYAML has it: the national area (3,132 regions) took
#: 1.3 s of a restart to parse in Python, ~0.1 s in C.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_area(path: Path | None = None) -> AreaConfig:
    """Read and validate the area YAML; the packaged Liupanshui default without a path."""
    if path is None:
        source = f"(built-in {DEFAULT_AREA_FILE})"
        text = resources.files("safetywatch.config").joinpath(DEFAULT_AREA_FILE).read_text("utf-8")
    else:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"SAFETYWATCH_CONFIG_FILE: cannot read {path}: {error.strerror}"
            ) from None
    try:
        document = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: expected a mapping with time_zone, exposed_quarters, regions")
    try:
        return AreaConfig.model_validate(document)
    except ValidationError as error:
        raise describe_errors(error, source, dotted_key) from None
