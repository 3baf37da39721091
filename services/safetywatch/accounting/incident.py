"""One incident as the ledger holds it: its latest revision, kept compact."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from safetywatch.accounting.layout import (
    DEATHS,
    FATALITIES,
    FATALITIES_MISSING,
    LATE_REPORTS,
    LATE_SUPPLEMENTS,
    MINOR_INJURIES,
    MISSING,
    NEAR_MISSES,
    SERIOUS_INJURIES,
    THREATS,
    IncidentFields,
)
from safetywatch.accounting.periods import Quarter, month_label
from safetywatch.accounting.rare import Confirmed
from safetywatch.events import CATEGORY_GROUPS, Grade, IncidentRecord
from safetywatch.regions import Level


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # same incident and revision, same content
    CONFLICT = "conflict"  # same incident and revision, different content: first one wins
    STALE = "stale"  # a lower revision than the one already applied


class IncidentState(IncidentFields):
    """One incident's latest revision, kept compact: a province holds a million of these.

    Its fields are declared in ``fields.py`` (``IncidentFields`` is generated from
    them); the record itself is in the ledger's record store (``ref``) and is read only
    when asked for. What follows is derived from the fields.
    """

    # -- what most incidents share through ``COMMON`` ----------------------------

    @property
    def conflicts(self) -> int:
        return self.rare.conflicts

    def count_conflict(self) -> None:
        self.rare = self.rare._replace(conflicts=self.rare.conflicts + 1)

    @property
    def late_supplements(self) -> int:
        return self.figures[LATE_SUPPLEMENTS]

    @property
    def fatalities_missing(self) -> int:
        return self.figures[FATALITIES_MISSING]

    @property
    def late_report(self) -> bool:
        """迟报: the first report was made more than an hour after the occurrence."""
        return self.figures[LATE_REPORTS] == 1

    @property
    def near_miss(self) -> bool:
        """较大涉险 (see ``policy.is_near_miss``)."""
        return self.figures[NEAR_MISSES] == 1

    @property
    def fatalities_in_window(self) -> bool:
        return self.rare.fatalities_in_window

    @property
    def threat_grade(self) -> Grade | None:
        return self.rare.threat_grade

    @property
    def graded_by_burned_area(self) -> bool:
        return self.rare.graded_by_burned_area

    @property
    def reported_at(self) -> datetime:
        """When the first report was made (the unit's stamp, else its receipt)."""
        return self.rare.first_reported_at or self.first_received_at

    @property
    def final(self) -> bool:
        return self.rare.final

    @property
    def confirmations(self) -> Mapping[Level, Confirmed]:
        return self.rare.confirmations

    # -- derived ------------------------------------------------------------------

    @property
    def alert_grade(self) -> Grade:
        """The higher of the disaster grade and the threat grade: what the grade rule
        and the reporting chain go by."""
        threat = self.threat_grade
        return self.grade if threat is None or threat.rank <= self.grade.rank else threat

    @property
    def is_threat(self) -> bool:
        """A 险情 (``policy.is_threat``): among the threats, not the incidents."""
        return self.figures[THREATS] == 1

    @property
    def quarter(self) -> Quarter:
        return Quarter.of_month(self.month)

    @property
    def fatalities(self) -> int:
        return self.figures[FATALITIES]

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
        figures = self.figures
        return (
            figures[DEATHS],
            figures[MISSING],
            figures[SERIOUS_INJURIES],
            figures[MINOR_INJURIES],
        )

    def derived(self, record: IncidentRecord) -> dict[str, Any]:
        """What the accounting derived from the incident's revisions, by the names of the
        read API's ``IncidentDocument`` (``record`` is ``Ledger.record_of`` this state)."""
        return {
            "quarter": self.quarter.label,
            "month": month_label(self.month),
            "groups": []
            if self.non_business
            else [group.value for group in CATEGORY_GROUPS[self.category]],
            "fatalities": self.fatalities,
            "fatalities_in_window": self.fatalities_in_window,
            "grade": self.grade,
            "current_grade": self.current_grade,
            "threat_grade": self.threat_grade,
            "situation": "threat" if self.is_threat else "disaster",
            "non_business": self.non_business,
            "imported": self.imported,
            "graded_by_burned_area": self.graded_by_burned_area,
            "first_reported_at": self.reported_at,
            "delivery_delay_seconds": _delivery_delay(record),
            "late_report": self.late_report,
            "near_miss": self.near_miss,
            "first_received_at": self.first_received_at,
            "late_supplements": self.late_supplements,
            "revision_conflicts": self.conflicts,
        }


def _delivery_delay(record: IncidentRecord) -> float | None:
    """How long the latest report took from the unit to the gateway (network trouble,
    not late reporting); None when it carries no usable ``reported_at``."""
    reported = record.reported_at
    if reported is None or not record.occurred_at <= reported <= record.received_at:
        return None
    return (record.received_at - reported).total_seconds()
