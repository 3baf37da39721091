"""The incident register (台账): current incident states for a filter, newest occurrence
first, in pages with a stable cursor. Retracted incidents are not listed: they count
nowhere, so the register and the summary for one filter agree figure for figure."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from safetywatch.accounting.incident import IncidentState
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period
from safetywatch.errors import SafetywatchError
from safetywatch.events import CATEGORY_GROUPS, Category, Grade, Group


@dataclass(frozen=True, slots=True)
class RegisterFilter:
    period: Period | None = None
    region_prefix: str = ""
    categories: frozenset[Category] = frozenset()  # empty: every category
    group: Group | None = None
    min_grade: Grade = Grade.ORDINARY

    def admits(self, state: IncidentState) -> bool:
        return (
            not state.retracted
            and state.region_code.startswith(self.region_prefix)
            and (not self.categories or state.category in self.categories)
            and (self.group is None or self._in_group(self.group, state))
            and state.grade.rank >= self.min_grade.rank
            and (self.period is None or self.period.first <= state.month <= self.period.last)
        )

    @staticmethod
    def _in_group(group: Group, state: IncidentState) -> bool:
        """Non-business accidents are in no group: they are counted apart."""
        return group in CATEGORY_GROUPS[state.category] and not state.non_business


def _order(state: IncidentState) -> tuple[float, str]:
    # Newest first, then by id: a total order, so a cursor never skips or repeats.
    return (-state.occurred_at.timestamp(), state.incident_id)


def matching(ledger: Ledger, where: RegisterFilter, zone: tzinfo) -> list[IncidentState]:
    """Every incident the filter admits, in register order."""
    candidates: Iterable[IncidentState]
    if where.period is not None:
        # A day either side: the day index is by the offset each record was written in.
        candidates = ledger.occurred_between(where.period.start(zone), where.period.end(zone))
    else:
        candidates = ledger.incidents()
    return sorted((s for s in candidates if where.admits(s)), key=_order)


class BadCursor(SafetywatchError, ValueError):
    pass


def encode_cursor(state: IncidentState) -> str:
    position = [state.occurred_at.isoformat(), state.incident_id]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        occurred, incident_id = json.loads(text)
        return (-datetime.fromisoformat(occurred).timestamp(), str(incident_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(f"{cursor!r} is not a cursor this register gave out") from error


def page(
    states: list[IncidentState], limit: int, cursor: str | None = None
) -> tuple[list[IncidentState], str | None]:
    """Up to ``limit`` states after ``cursor``, and the cursor of the next page (None at
    the end). The cursor names a position, not an index: pages stay stable while
    incidents are added or revised before it."""
    after = _decode_cursor(cursor) if cursor else None
    remaining: Iterator[IncidentState] = (s for s in states if after is None or _order(s) > after)
    chosen = [state for _, state in zip(range(limit + 1), remaining, strict=False)]
    if len(chosen) > limit:
        return chosen[:limit], encode_cursor(chosen[limit - 1])
    return chosen, None
