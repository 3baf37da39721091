"""One incident as the ledger holds it: its latest revision, kept compact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from safetywatch.accounting._grading import Grade
from safetywatch.accounting._quarters import Quarter
from safetywatch.events import Category, IncidentRecord


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # same incident and revision, same content
    CONFLICT = "conflict"  # same incident and revision, different content: first one wins
    STALE = "stale"  # a lower revision than the one already applied


#: Shared by every incident that never reached a grade above ordinary (most of them).
NO_GRADES: Mapping[Grade, datetime] = MappingProxyType({})


@dataclass(slots=True, eq=False)
class IncidentState:
    """One incident's latest revision, kept compact: a province holds a million of these.

    The record itself is in the ledger's record store (``ref``) and is read only when
    asked for; accounting and alerting read the few fields kept here.
    """

    incident_id: str
    ref: int
    revision: int
    retracted: bool
    category: Category
    region_code: str
    occurred_at: datetime
    #: deaths, missing, serious injuries, minor injuries, direct loss in fen
    figures: tuple[int, int, int, int, int]
    quarter: Quarter
    grade: Grade
    late_report: bool
    near_miss: bool
    first_received_at: datetime
    conflicts: int = 0
    late_supplements: int = 0
    #: For each grade above ordinary the incident has reached, the ``received_at`` of the
    #: revision that first brought it there; a downgrade drops the grades above.
    grade_since: Mapping[Grade, datetime] = field(default_factory=lambda: NO_GRADES)
    near_miss_since: datetime | None = None

    @property
    def latest_alert_moment(self) -> datetime | None:
        """The latest instant from which a per-incident alert may hold: when it reached a
        grade, became a near miss or (if late) was first reported. None if never notable."""
        if self.retracted or not (self.grade_since or self.near_miss or self.late_report):
            return None
        moments = list(self.grade_since.values())
        if self.near_miss_since is not None:
            moments.append(self.near_miss_since)
        if self.late_report:
            moments.append(self.first_received_at)
        return max(moments)

    @property
    def casualties(self) -> tuple[int, int, int, int]:
        deaths, missing, serious, minor, _ = self.figures
        return deaths, missing, serious, minor

    def to_json(self, record: IncidentRecord) -> dict[str, Any]:
        """Every field of ``record`` (``Ledger.record_of`` this state) plus the derived
        ones (contract §5 ``/v1/incidents/{id}``)."""
        document: dict[str, Any] = record.model_dump(mode="json")
        document.update(
            quarter=self.quarter.label,
            grade=self.grade.value,
            late_report=self.late_report,
            near_miss=self.near_miss,
            first_received_at=self.first_received_at.isoformat(),
            late_supplements=self.late_supplements,
            revision_conflicts=self.conflicts,
        )
        return document
