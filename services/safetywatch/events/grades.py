"""The four grades every category is graded on (contract §3): the words the metrics,
the rules and the read API use. Which figures reach which grade is the accounting's
(``accounting/grade_tables.py``); each category names the levels in its own terms."""

from __future__ import annotations

from enum import StrEnum


class Grade(StrEnum):
    """The common four-level ordinal (the label in metrics and rules); each category
    names the levels in its own terms (see ``accounting`` ``grade_term``)."""

    # Declared from least to most severe: ``Grade.rank`` follows this order.
    ORDINARY = "ordinary"
    RELATIVELY_SERIOUS = "relatively_serious"
    SERIOUS = "serious"
    PARTICULARLY_SERIOUS = "particularly_serious"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def zh(self) -> str:
        return _ZH[self]


_RANK = {grade: rank for rank, grade in enumerate(Grade)}
_ZH = {
    Grade.ORDINARY: "一般",
    Grade.RELATIVELY_SERIOUS: "较大",
    Grade.SERIOUS: "重大",
    Grade.PARTICULARLY_SERIOUS: "特别重大",
}
