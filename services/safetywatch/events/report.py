"""The incident report (schema ``incident-report`` v1) and the record stored in Kafka.

A report is the full state of an incident at one revision, never a patch. The
gateway turns a valid report into a record by stamping ``received_at`` and
``unit_id``; clients cannot set either (unknown fields are rejected).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from safetywatch.events.categories import APART_CATEGORIES, FIRE_CATEGORIES, Category, Origin
from safetywatch.events.wire import wire_config
from safetywatch.regions import Level, RegionCode, UnitId

SCHEMA_NAME = "incident-report"

#: The reporting region's code, a dash, and the unit's own reference.
INCIDENT_ID_PATTERN = r"^[0-9]{6}-[A-Za-z0-9][A-Za-z0-9._-]{0,57}$"

#: How far ``occurred_at`` may lie after ``received_at``: field clocks drift.
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=5)

#: The instants a report may name, and the aggregator computes quarters, windows and
#: day indexes for. One bound for gateway and aggregator alike: a record outside it
#: (year 1, year 9999) would overflow the aggregator's date arithmetic.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2200, 1, 1, tzinfo=UTC)

#: More revisions than any incident could need; bounded so that one record cannot make
#: every later revision of its incident stale (a revision of 10**4000 once did).
MAX_REVISION = 100_000

#: RFC 3339 ``date-time``: a full date, ``T``, a full time and an explicit offset. pydantic
#: on its own also takes Unix timestamps ("1700000000"), ``_`` or a space as separator
#: and offsets without a colon.
RFC3339_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


_LAX_DATE_TIME = TypeAdapter(AwareDatetime)


def _rfc3339_only(value: Any) -> Any:
    """A string that is RFC 3339, parsed as pydantic parses date-times; anything else
    goes on to the strict validator unchanged (and a datetime object passes)."""
    if not isinstance(value, str):
        return value
    if RFC3339_DATE_TIME.fullmatch(value) is None:
        raise ValueError(
            "expected an RFC 3339 date-time with an offset, like 2026-11-25T08:30:00+08:00"
        )
    # Parsed here: in strict mode the validator after this one takes no strings.
    return _LAX_DATE_TIME.validate_python(value, strict=False)


def check_moment(moment: datetime) -> datetime:
    """ValueError unless ``moment`` lies in [EARLIEST_MOMENT, LATEST_MOMENT)."""
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise ValueError(
            f"{moment.isoformat()} is outside the supported span "
            f"{EARLIEST_MOMENT:%Y-%m-%d} to {LATEST_MOMENT:%Y-%m-%d} (UTC)"
        )
    return moment


_RFC3339_ONLY = BeforeValidator(_rfc3339_only)
_IN_SPAN = AfterValidator(check_moment)
#: Every date-time field of a report or record.
Moment = Annotated[AwareDatetime, _RFC3339_ONLY, _IN_SPAN]
#: Its validators, in order: the fast path recognises them and applies the same checks.
MOMENT_VALIDATORS = (_RFC3339_ONLY, _IN_SPAN)


Casualties = Annotated[int, Field(ge=0, le=100_000)]
LargeCount = Annotated[int, Field(ge=0, le=10_000_000)]
Money = Annotated[float, Field(ge=0, le=1e13, allow_inf_nan=False)]
Area = Annotated[float, Field(ge=0, le=1e7, allow_inf_nan=False)]


#: Fields that belong to some categories only: given for another, they are refused.
CATEGORY_FIELDS: dict[str, frozenset[Category]] = {
    "burned_area_ha": FIRE_CATEGORIES,
    "damaged_forest_area_ha": frozenset({Category.FOREST_FIRE}),
    "damaged_grassland_area_ha": frozenset({Category.GRASSLAND_FIRE}),
    "threatened_people": frozenset({Category.GEOLOGICAL_HAZARD}),
    "potential_loss_yuan": frozenset({Category.GEOLOGICAL_HAZARD}),
    "business_related": APART_CATEGORIES,
}


def check_category_field(category: Category, name: str, value: float | None) -> None:
    """ValueError when ``name`` is given for a category it is not of: a number other
    than absent or 0, a flag (``business_related``) either way."""
    categories = CATEGORY_FIELDS[name]
    given = value is not None if isinstance(value, bool) else bool(value)
    if given and category not in categories:
        allowed = " and ".join(sorted(categories))
        raise ValueError(f"{name} applies to {allowed} incidents only")


def _category_fields_marked(schema: dict[str, Any]) -> None:
    """``x-categories`` on each field that belongs to some categories only (what the
    field app shows for which category)."""
    for name, categories in CATEGORY_FIELDS.items():
        schema["properties"][name]["x-categories"] = sorted(categories)


@dataclass(frozen=True)
class ReportContext:
    """What validating a report at the gateway needs beyond the report itself."""

    received_at: datetime
    configured_regions: Collection[str]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class IncidentReport(BaseModel):
    """One revision of an incident as a field unit submits it."""

    model_config = wire_config("IncidentReport", SCHEMA_NAME, _category_fields_marked)

    incident_id: Annotated[str, StringConstraints(pattern=INCIDENT_ID_PATTERN)] = Field(
        description="The first 6 digits are the reporting region's code."
    )
    revision: Annotated[int, Field(ge=1, le=MAX_REVISION)] = Field(
        description="1 = first report, +1 for each supplementary report or correction."
    )
    retracted: bool = Field(default=False, description="A retraction is a revision with true.")
    category: Category
    region_code: RegionCode = Field(
        description="GB/T 2260 code; equals the incident_id prefix; a configured region."
    )
    occurred_at: Moment = Field(description="RFC 3339 with an explicit offset.")
    reported_at: Moment | None = Field(
        default=None, description="When the unit reported it, RFC 3339 with an offset."
    )
    figures_as_of: Moment | None = Field(
        default=None,
        description="When the casualty figures were true (a supplementary report may "
        "arrive days after its deaths occurred); absent: reported_at, else the receipt. "
        "Decides whether a revision counts within the supplementary window (补报).",
    )
    deaths: Casualties = 0
    missing: Casualties = 0
    serious_injuries: Casualties = 0
    minor_injuries: Casualties = 0
    origin: Origin | None = Field(
        default=None,
        description="import: the bureau's own history, imported (safetywatch import, a token "
        "with --can-import): counted in every statistic like a report, but it opens no "
        "reporting chain, raises no alert and is never 迟报. Absent: a report.",
    )
    business_related: bool | None = Field(
        default=None,
        description="Road traffic and fire only: whether it is a business accident "
        "(生产经营性: business vehicles, a business's fire), a 生产安全事故. false: counted "
        "apart from work safety (非生产经营性). Absent: true.",
    )
    trapped: LargeCount | None = None
    evacuated: LargeCount | None = None
    people_at_risk: LargeCount | None = Field(
        default=None,
        description="涉险人数: people whose lives were in danger (较大涉险 from 10, Order 21 "
        "art. 26).",
    )
    drinking_water_polluted: bool = Field(
        default=False,
        description="The accident seriously polluted the environment: a drinking-water "
        "source, farmland, a river, reservoir or lake, a crowded place (较大涉险).",
    )
    critical_site_endangered: bool = Field(
        default=False,
        description="It endangered a key site or facility: a power station, major water "
        "works, a hazardous-chemicals store, a fuel station, a station, port or airport, "
        "a crowded place (较大涉险).",
    )
    direct_loss_yuan: Money = 0
    burned_area_ha: Area = Field(
        default=0,
        description="Forest and grassland fires: the burned area (过火面积). Grades the fire "
        "only when no damaged area is reported (and the incident says so).",
    )
    damaged_forest_area_ha: Area | None = Field(
        default=None,
        description="Forest fires: the damaged forest area (受害森林面积) the regulation grades by.",
    )
    damaged_grassland_area_ha: Area | None = Field(
        default=None,
        description="Grassland fires: the damaged grassland area (受害草原面积).",
    )
    threatened_people: LargeCount | None = Field(
        default=None,
        description="Geological hazards: people threatened, to be moved (受威胁人数); with no "
        "casualties the report is a threat (险情) and gets a threat grade.",
    )
    potential_loss_yuan: Money | None = Field(
        default=None, description="Geological hazards: the potential loss (潜在经济损失)."
    )
    location: Location | None = Field(default=None, description="WGS84.")
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    description: Annotated[str, StringConstraints(max_length=4000)] = ""
    final: bool = Field(
        default=False,
        description="终报: the last report of the incident; no follow-up report is expected.",
    )

    @field_validator("region_code")
    @classmethod
    def _region_matches_incident(cls, region_code: str, info: ValidationInfo) -> str:
        incident_id = info.data.get("incident_id")
        if incident_id is not None:
            check_region_prefix(incident_id, region_code)
        context = info.context
        if isinstance(context, ReportContext) and region_code not in context.configured_regions:
            raise ValueError(f"region {region_code} is not a configured region")
        return region_code

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, occurred_at: datetime, info: ValidationInfo) -> datetime:
        context = info.context
        if isinstance(context, ReportContext):
            check_not_after_receipt(occurred_at, context.received_at)
        return occurred_at

    @field_validator("reported_at")
    @classmethod
    def _reported_before_receipt(
        cls, reported_at: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        """At the gateway only: a unit cannot have reported after the gateway received it.
        Records accepted before this bound keep applying (their implausible reported_at
        is disregarded for 迟报, as it always was: ``policy.reported_moment``)."""
        context = info.context
        if reported_at is not None and isinstance(context, ReportContext):
            check_not_after_receipt(reported_at, context.received_at, "reported_at")
        return reported_at

    @field_validator("figures_as_of")
    @classmethod
    def _not_before_the_occurrence(
        cls, figures_as_of: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        occurred_at = info.data.get("occurred_at")
        if figures_as_of is not None and occurred_at is not None:
            check_figures_moment(occurred_at, figures_as_of)
        context = info.context
        if figures_as_of is not None and isinstance(context, ReportContext):
            check_not_after_receipt(figures_as_of, context.received_at, "figures_as_of")
        return figures_as_of

    @field_validator(*CATEGORY_FIELDS)
    @classmethod
    def _of_its_categories(cls, value: float | None, info: ValidationInfo) -> float | None:
        category = info.data.get("category")
        if category is not None and info.field_name is not None:
            check_category_field(category, info.field_name, value)
        return value

    @property
    def casualties(self) -> int:
        return count_casualties(self.deaths, self.missing)


class IncidentRecord(IncidentReport):
    """A report as stored in Kafka: stamped by the gateway that accepted it."""

    model_config = wire_config("IncidentRecord", "incident-record")

    received_at: Moment = Field(description="UTC, stamped by the gateway.")
    unit_id: UnitId = Field(description="The field unit whose report the gateway accepted.")
    unit_level: Level | None = Field(
        default=None, description="The unit's level, stamped by the gateway (absent: county)."
    )

    @model_validator(mode="after")
    def _occurred_before_receipt(self) -> IncidentRecord:
        check_not_after_receipt(self.occurred_at, self.received_at)
        if self.figures_as_of is not None:
            check_not_after_receipt(self.figures_as_of, self.received_at, "figures_as_of")
        return self

    @classmethod
    def stamp(
        cls,
        report: IncidentReport,
        *,
        received_at: datetime,
        unit_id: str,
        unit_level: Level | None = None,
    ) -> IncidentRecord:
        fields: dict[str, Any] = dict(report)
        stamps = {"received_at": received_at, "unit_id": unit_id, "unit_level": unit_level}
        return cls.model_validate({**fields, **stamps}, strict=False)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


#: The fields a record adds to its report (the gateway's stamps), as a model of their
#: own made from IncidentRecord's declaration: the stamps serialised as the record does.
_Stamps = create_model(
    "_Stamps",
    __config__=ConfigDict(extra="forbid"),
    **{
        name: (field.annotation, field)
        for name, field in IncidentRecord.model_fields.items()
        if name not in IncidentReport.model_fields
    },  # type: ignore[call-overload]
)


@dataclass(frozen=True, slots=True)
class StampedReport:
    """A report the gateway validated, with its stamps, as the bytes of its record.

    Equal to ``IncidentRecord.stamp(...).to_json_bytes()`` (a property test holds it
    to that): the record's own fields come last in its declaration, so its JSON is the
    report's with the stamps' appended. Building the record object instead re-walked
    every field and was most of a report's admission (docs/performance.md)."""

    report: IncidentReport
    unit_id: str
    raw: bytes

    @classmethod
    def of(
        cls,
        report: IncidentReport,
        *,
        received_at: datetime,
        unit_id: str,
        unit_level: Level | None = None,
    ) -> StampedReport:
        check_not_after_receipt(report.occurred_at, received_at)
        if report.figures_as_of is not None:
            check_not_after_receipt(report.figures_as_of, received_at, "figures_as_of")
        stamps = _Stamps.model_validate(
            {"received_at": received_at, "unit_id": unit_id, "unit_level": unit_level}
        ).model_dump_json(exclude_none=True)
        body = report.model_dump_json(exclude_none=True)
        return cls(report, unit_id, f"{body[:-1]},{stamps[1:]}".encode())

    @property
    def incident_id(self) -> str:
        return self.report.incident_id

    @property
    def revision(self) -> int:
        return self.report.revision

    @property
    def category(self) -> Category:
        return self.report.category

    def to_json_bytes(self) -> bytes:
        return self.raw


def count_casualties(deaths: int, missing: int) -> int:
    """Deaths plus missing: official statistics count the missing with the dead."""
    return deaths + missing


# The cross-field rules, shared by the validators above and the aggregator's fast path.


def check_region_prefix(incident_id: str, region_code: str) -> None:
    if not incident_id.startswith(region_code):
        raise ValueError(
            f"region_code {region_code} does not match the incident_id prefix {incident_id[:6]}"
        )


def check_category_fields(record: Any) -> None:
    """Every category-specific field of ``record`` (the fast path's check)."""
    category = record.category
    for name in CATEGORY_FIELDS:
        check_category_field(category, name, getattr(record, name))


def check_not_after_receipt(
    moment: datetime, received_at: datetime, name: str = "occurred_at"
) -> None:
    if moment > received_at + CLOCK_SKEW_ALLOWANCE:
        raise ValueError(
            f"{name} {moment.isoformat()} lies in the future: more than "
            f"{int(CLOCK_SKEW_ALLOWANCE.total_seconds() // 60)} minutes after receipt "
            f"({received_at.isoformat()})"
        )


def check_figures_moment(occurred_at: datetime, figures_as_of: datetime) -> None:
    """Figures cannot have been true before the accident happened."""
    if figures_as_of < occurred_at:
        raise ValueError(
            f"figures_as_of {figures_as_of.isoformat()} is before occurred_at "
            f"{occurred_at.isoformat()}"
        )
