"""What few incidents have, kept apart from their rows: one shared empty value for all
the others instead of a slot each (a province holds a million incidents)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from safetywatch.events import Grade
from safetywatch.regions import Level


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
