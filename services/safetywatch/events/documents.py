"""What the aggregator's read API answers (contract §5): one incident as people read it,
with its reporting chain, and a page of the register. The aggregator builds these models
and the gateway reads them through one typed client, so a renamed field is a type error
on both sides, not a broken confirmation; their JSON Schemas are committed under
``schemas/`` like the wire models'."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from safetywatch.events.grades import Grade
from safetywatch.events.report import IncidentRecord
from safetywatch.events.wire import SCHEMA_VERSION
from safetywatch.regions import Level

#: An instant the accounting derived, written as ``datetime.isoformat`` writes it.
Instant = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), when_used="json")]


def _document_config(title: str, schema_name: str) -> ConfigDict:
    """Read by another service, perhaps of a newer version during a rolling deploy:
    fields it does not know are ignored, never coerced."""

    def schema_extra(schema: dict[str, Any]) -> None:
        schema["$id"] = f"{schema_name}.v{SCHEMA_VERSION}"

    return ConfigDict(
        extra="ignore", frozen=True, strict=True, title=title, json_schema_extra=schema_extra
    )


class StepStatus(StrEnum):
    """Where a level of the reporting chain stands (contract §8)."""

    CONFIRMED = "confirmed"  # on time
    LATE = "late"  # confirmed after its due time
    OPEN = "open"  # due, not yet confirmed, not yet late
    OVERDUE = "overdue"
    WAITING = "waiting"  # the level below has not confirmed: its clock has not started


class ChainStep(BaseModel):
    """One level the incident's grade requires: who acts for it, by when, and whether
    it has (签收并上报)."""

    model_config = _document_config("ChainStep", "chain-step")

    level: Level
    office: str = Field(description="The office that acts for the level, in Chinese.")
    office_en: str
    due_at: Instant | None = Field(description="None while the level below has not confirmed.")
    confirmed_at: Instant | None
    unit_id: str | None = Field(description="The unit that confirmed for the level.")
    overdue: bool
    status: StepStatus


class IncidentDocument(IncidentRecord):
    """Every field of the incident's latest record, what the accounting derived from its
    revisions, the names people read, and its reporting chain as of now."""

    model_config = _document_config("IncidentDocument", "incident-document")

    quarter: str = Field(description="The quarter of occurred_at in the area's zone: 2026Q4.")
    month: str = Field(description="Its month: 2026-11.")
    groups: list[str] = Field(
        description="The statistical groups it counts in (none when counted apart)."
    )
    fatalities: int = Field(description="Deaths and missing as the statistics count them.")
    fatalities_in_window: bool
    supplement_window_closes: Instant = Field(
        description="24:00 (area time) of the 30th day after the occurrence date, the 7th "
        "for road traffic and fire (Decree 493 art. 13): figures true after it are shown, "
        "not counted."
    )
    grade: Grade = Field(
        description="The official grade: of the counted figures, by the table in force on "
        "the day; frozen when the supplementary window closes."
    )
    current_grade: Grade = Field(description="The grade of the latest figures, counted or not.")
    threat_grade: Grade | None = Field(description="A geological threat's grade (险情).")
    situation: Literal["disaster", "threat"] = Field(
        description="threat: a geological report of threat figures only (险情), counted "
        "among the threats, not the incidents."
    )
    non_business: bool = Field(
        description="A non-business road traffic or fire accident (非生产经营性): counted "
        "apart from the work-safety statistics and in no group."
    )
    imported: bool = Field(
        description="Imported history (its first revision's origin is import): counted in "
        "every statistic, with no reporting chain, no alert and never 迟报."
    )
    graded_by_burned_area: bool
    first_reported_at: Instant
    delivery_delay_seconds: float | None
    late_report: bool
    near_miss: bool
    first_received_at: Instant
    late_supplements: int
    revision_conflicts: int
    region_name: str
    category_name: str
    category_name_en: str
    grade_name: str = Field(description="The grade in the category's own terms: 较大事故.")
    grade_name_en: str
    current_grade_name: str
    current_grade_name_en: str
    threat_grade_name: str | None
    threat_grade_name_en: str | None
    chain: list[ChainStep]
    next_follow_up_due: Instant | None
    follow_up_overdue: bool

    @property
    def levels(self) -> tuple[Level, ...]:
        """The levels its grade requires (contract §8), lowest first."""
        return tuple(step.level for step in self.chain)

    def to_json(self) -> dict[str, Any]:
        """As the read API answers it."""
        document: dict[str, Any] = self.model_dump(mode="json")
        return document


class RegisterPage(BaseModel):
    """A page of the register (台账): incidents newest first, and where the next begins."""

    model_config = _document_config("RegisterPage", "register-page")

    incidents: list[IncidentDocument]
    next_cursor: str | None = Field(description="None on the last page.")


class ActiveAlert(BaseModel):
    """An alert firing now, as a duty desk reads it: the rule, how severe, where, what,
    the value beside its threshold, and the incident when the rule is about one."""

    model_config = _document_config("ActiveAlert", "active-alert")

    rule: str
    severity: Literal["warning", "critical"]
    region: str
    region_name: str
    region_name_en: str
    category: str = Field(description="`all` when the rule counts every category.")
    category_name: str
    category_name_en: str
    value: float
    threshold: float
    incident_id: str | None = None
    #: The one alert that stands for a rule's notable incidents in a region beyond its
    #: ``max_incident_alerts``: ``value`` is how many, ``threshold`` the cap.
    overflow: bool = False


class AlertsPage(BaseModel):
    """The alerts firing now in a region prefix, critical first (contract §5)."""

    model_config = _document_config("AlertsPage", "alerts-page")

    evaluated_at: Instant | None = Field(description="When the rules were last evaluated.")
    active: list[ActiveAlert]

    @classmethod
    def of(cls, evaluated_at: datetime | None, alerts: Iterable[ActiveAlert]) -> AlertsPage:
        """Critical first, then by rule and region."""
        ordered = sorted(alerts, key=lambda a: (a.severity != "critical", a.rule, a.region))
        return cls(evaluated_at=evaluated_at, active=ordered)
