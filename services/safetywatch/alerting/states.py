"""What an evaluation says: the state of each rule instance, and what a per-incident
alert carries so that a phone screen can say what happened."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What a per-incident alert carries so that a phone screen can say what happened."""

    incident_id: str
    #: The common ordinal the routes match on: the higher of the disaster's and the
    #: threat's grade.
    grade: str
    #: The category's own term for it: 较大事故, 中型地质灾害险情, 较大森林火灾.
    grade_name: str
    grade_name_en: str
    #: "threat" for a geological 险情 (nothing happened yet), "disaster" otherwise.
    situation: str
    category_name: str
    region_name: str
    deaths: int
    missing: int
    serious_injuries: int
    occurred_at: str
    #: English beside: the category's and the place's English names.
    category_name_en: str = ""
    region_name_en: str = ""


@dataclass(frozen=True, slots=True)
class AlertState:
    rule: str
    severity: str
    region: str
    category: str
    active: bool
    value: float
    threshold: float
    incident: IncidentFacts | None = None
    #: True for the one state that stands for a rule's notable incidents in a region
    #: beyond its ``max_incident_alerts``: ``value`` is how many, ``threshold`` the cap.
    overflow: bool = False


def thresholded(
    rule: str, region: str, category: str, value: float, warn: float, critical: float
) -> Iterator[AlertState]:
    """The warning and the critical instance of one figure against its two bounds."""
    yield AlertState(rule, "warning", region, category, value >= warn, value, warn)
    yield AlertState(rule, "critical", region, category, value >= critical, value, critical)
