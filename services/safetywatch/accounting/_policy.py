"""The per-record rules of the accounting: late reports (迟报), the supplementary window
(补报), near misses (较大涉险) and the figures grading reads. Pure functions of a record."""

from __future__ import annotations

from datetime import timedelta

from safetywatch.accounting._grading import GradingFigures
from safetywatch.events import Category, StoredRecord

#: 迟报: the first report reached the gateway more than this after the occurrence.
LATE_REPORT_AFTER = timedelta(hours=1)

#: 补报 (Decree 493 art. 13): casualty changes are due within 30 days of the occurrence,
#: 7 for road traffic and fire accidents. The same window bounds the statistics: a
#: revision received later updates the incident but not its ``fatalities``.
SUPPLEMENT_WINDOW = timedelta(days=30)
SHORT_SUPPLEMENT_WINDOW = timedelta(days=7)
_SHORT_WINDOW_CATEGORIES = frozenset({Category.ROAD_TRAFFIC, Category.FIRE})

#: 较大涉险: flagged whatever the grade.
NEAR_MISS_TRAPPED = 3
NEAR_MISS_MISSING = 3
NEAR_MISS_EVACUATED = 500


def grading_figures_of(record: StoredRecord) -> GradingFigures:
    return GradingFigures(
        casualties=record.casualties,
        serious_injuries=record.serious_injuries,
        direct_loss_yuan=record.direct_loss_yuan,
        burned_area_ha=record.burned_area_ha,
    )


def is_near_miss(record: StoredRecord) -> bool:
    return (
        (record.trapped or 0) >= NEAR_MISS_TRAPPED
        or record.missing >= NEAR_MISS_MISSING
        or (record.evacuated or 0) >= NEAR_MISS_EVACUATED
    )


def supplement_window(category: Category) -> timedelta:
    return SHORT_SUPPLEMENT_WINDOW if category in _SHORT_WINDOW_CATEGORIES else SUPPLEMENT_WINDOW


def casualty_figures(record: StoredRecord) -> tuple[int, int, int, int]:
    return (record.deaths, record.missing, record.serious_injuries, record.minor_injuries)


def is_late_supplement(previous: StoredRecord, revision: StoredRecord) -> bool:
    """A revision that changes the casualty figures after the supplementary window closed."""
    return changes_casualties_late(casualty_figures(previous), revision)


#: The window of each category, looked up once per record by the replay.
SUPPLEMENT_WINDOWS = {category: supplement_window(category) for category in Category}


def in_supplement_window(revision: StoredRecord) -> bool:
    """Received within the window of the occurrence it states (exactly at its end is in)."""
    return revision.received_at <= revision.occurred_at + supplement_window(revision.category)


def changes_casualties_late(previous: tuple[int, int, int, int], revision: StoredRecord) -> bool:
    return casualty_figures(revision) != previous and not in_supplement_window(revision)
