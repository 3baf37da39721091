"""One incident as the ledger holds it: its latest revision, kept compact."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from safetywatch.accounting.grade_tables import Grade
from safetywatch.accounting.periods import Quarter, month_label
from safetywatch.accounting.totals import Figures
from safetywatch.events import CATEGORY_GROUPS, Category, IncidentRecord
from safetywatch.regions import Level


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # same incident and revision, same content
    CONFLICT = "conflict"  # same incident and revision, different content: first one wins
    STALE = "stale"  # a lower revision than the one already applied


class _Nothing(Mapping[Any, Any]):
    """Empty, read-only and shared; a checkpoint keeps each as the one instance."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key: Any, default: Any = None) -> Any:  # the common call, made cheap
        return default

    def __reduce__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return self._name


#: Shared by every incident that never reached a grade above ordinary (most of them).
NO_GRADES: Mapping[Grade, datetime] = _Nothing("NO_GRADES")


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A level of the reporting chain confirmed (签收并上报): when, by which unit."""

    at: datetime
    unit_id: str


#: Shared by every incident no level has confirmed yet.
NO_CONFIRMATIONS: Mapping[Level, Confirmed] = _Nothing("NO_CONFIRMATIONS")


class Rare(NamedTuple):
    """What most incidents do not have, kept apart: one empty slot for them instead of
    ten (a province holds a million incidents). A named tuple: a checkpoint of the
    ministry holds a few hundred thousand, and a tuple is rebuilt in a fraction of the
    time a frozen dataclass takes."""

    conflicts: int = 0
    late_supplements: int = 0
    #: Whether ``fatalities`` come from a revision received within the supplementary
    #: window (False: none was, and they are the first revision's).
    fatalities_in_window: bool = True
    #: A geological threat's grade (险情), None when the report has no threat figures.
    threat_grade: Grade | None = None
    #: A fire graded by its burned area because no damaged area was reported.
    graded_by_burned_area: bool = False
    #: When the first report was made, as the unit stamped it, if not when received.
    first_reported_at: datetime | None = None
    #: The report said it was the last (终报).
    final: bool = False
    #: The level of the unit that sent the latest revision, when not a county's: a
    #: late follow-up report is that level's to send.
    unit_level: Level | None = None
    confirmations: Mapping[Level, Confirmed] = NO_CONFIRMATIONS

    def __reduce__(self) -> str | tuple[Any, ...]:
        # The shared instance stays shared in a checkpoint: ``is COMMON`` tells most
        # incidents apart, and one object serves them all.
        if self is COMMON:
            return "COMMON"
        return (Rare._make, (tuple(self),))  # no keyword defaults to fill in: cheaper


COMMON = Rare()


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
    figures: Figures
    #: The month index of ``occurred_at`` in the area's zone.
    month: int
    grade: Grade
    late_report: bool
    near_miss: bool
    first_received_at: datetime
    #: For each grade above ordinary the incident has reached (by ``alert_grade``), the
    #: ``received_at`` of the revision that first brought it there; a downgrade drops
    #: the grades above.
    grade_since: Mapping[Grade, datetime] = field(default_factory=lambda: NO_GRADES)
    near_miss_since: datetime | None = None
    #: Since when every revision has required the province (较大 and up, or a near miss):
    #: the ``received_at`` of the first of them; None while it is not required. (The
    #: ministry's is ``grade_since[SERIOUS]``.) A slot, not a Rare field: in a workload
    #: where half the incidents are notable a Rare each cost more than this slot for all.
    province_since: datetime | None = None
    #: The ``received_at`` of the latest applied revision: a follow-up report (续报) of
    #: a notable incident is due a while after it.
    last_received_at: datetime | None = None
    rare: Rare = COMMON

    def __reduce__(self) -> tuple[Any, ...]:
        """Positional, in field order: a checkpoint of a province loads millions."""
        return (
            IncidentState,
            (
                self.incident_id,
                self.ref,
                self.revision,
                self.retracted,
                self.category,
                self.region_code,
                self.occurred_at,
                self.figures,
                self.month,
                self.grade,
                self.late_report,
                self.near_miss,
                self.first_received_at,
                self.grade_since,
                self.near_miss_since,
                self.province_since,
                self.last_received_at,
                self.rare,
            ),
        )

    # -- what most incidents share through ``COMMON`` ----------------------------

    @property
    def conflicts(self) -> int:
        return self.rare.conflicts

    def count_conflict(self) -> None:
        self.rare = self.rare._replace(conflicts=self.rare.conflicts + 1)

    @property
    def late_supplements(self) -> int:
        return self.rare.late_supplements

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
        """A 险情: threat figures, no casualty and no loss."""
        return self.threat_grade is not None and not any(self.figures[:5])

    @property
    def quarter(self) -> Quarter:
        return Quarter.of_month(self.month)

    @property
    def fatalities(self) -> int:
        return self.figures[5]

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
        deaths, missing, serious, minor = self.figures[:4]
        return deaths, missing, serious, minor

    def to_json(self, record: IncidentRecord) -> dict[str, Any]:
        """Every field of ``record`` (``Ledger.record_of`` this state) plus the derived
        ones (contract §5 ``/v1/incidents/{id}``)."""
        document: dict[str, Any] = record.model_dump(mode="json")
        document.update(
            quarter=self.quarter.label,
            month=month_label(self.month),
            groups=[group.value for group in CATEGORY_GROUPS[self.category]],
            fatalities=self.fatalities,
            fatalities_in_window=self.fatalities_in_window,
            grade=self.grade.value,
            threat_grade=self.threat_grade.value if self.threat_grade else None,
            situation="threat" if self.is_threat else "disaster",
            graded_by_burned_area=self.graded_by_burned_area,
            first_reported_at=self.reported_at.isoformat(),
            delivery_delay_seconds=_delivery_delay(record),
            late_report=self.late_report,
            near_miss=self.near_miss,
            first_received_at=self.first_received_at.isoformat(),
            late_supplements=self.late_supplements,
            revision_conflicts=self.conflicts,
        )
        return document


def _delivery_delay(record: IncidentRecord) -> float | None:
    """How long the latest report took from the unit to the gateway (network trouble,
    not late reporting); None when it carries no usable ``reported_at``."""
    reported = record.reported_at
    if reported is None or not record.occurred_at <= reported <= record.received_at:
        return None
    return (record.received_at - reported).total_seconds()
