"""The figures a bulletin reads out, summed over incidents."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

#: Losses are accounted in fen (0.01 yuan) as integers, so that adding and later
#: subtracting a revision's contribution leaves exactly zero behind.
FEN_PER_YUAN = 100


#: An incident's figures as the counts hold them: deaths, missing, serious injuries,
#: minor injuries, direct loss in fen, fatalities, the missing among the fatalities.
Figures = tuple[int, int, int, int, int, int, int]

#: The figures of ``Totals.to_json`` (the contract's ``T``), in order.
FIGURE_NAMES = (
    "incidents",
    "deaths",
    "missing",
    "serious_injuries",
    "minor_injuries",
    "direct_loss_yuan",
    "late_reports",
    "near_misses",
    "late_supplements",
    "fatalities",
)


@dataclass(slots=True)
class Totals:
    incidents: int = 0
    deaths: int = 0
    missing: int = 0
    serious_injuries: int = 0
    minor_injuries: int = 0
    direct_loss_fen: int = 0
    late_reports: int = 0
    near_misses: int = 0
    late_supplements: int = 0
    #: Deaths and missing as the statistics count them (within the supplementary window),
    #: and the missing among them (a bulletin says "下落不明" when there are).
    fatalities: int = 0
    fatalities_missing: int = 0

    def add(self, other: Totals, sign: int = 1) -> None:
        # Spelled out: this runs twice per applied record, and a loop over
        # dataclasses.fields() with getattr/setattr cost a third of the replay.
        self.incidents += sign * other.incidents
        self.deaths += sign * other.deaths
        self.missing += sign * other.missing
        self.serious_injuries += sign * other.serious_injuries
        self.minor_injuries += sign * other.minor_injuries
        self.direct_loss_fen += sign * other.direct_loss_fen
        self.late_reports += sign * other.late_reports
        self.near_misses += sign * other.near_misses
        self.late_supplements += sign * other.late_supplements
        self.fatalities += sign * other.fatalities
        self.fatalities_missing += sign * other.fatalities_missing

    def count_incident(
        self,
        figures: Figures,
        late_report: bool,
        near_miss: bool,
        late_supplements: int,
        sign: int,
    ) -> None:
        """Add (+1) or withdraw (-1) one incident: ``add`` without building a Totals."""
        deaths, missing, serious, minor, loss_fen, fatalities, fatalities_missing = figures
        self.incidents += sign
        self.deaths += sign * deaths
        self.missing += sign * missing
        self.serious_injuries += sign * serious
        self.minor_injuries += sign * minor
        self.direct_loss_fen += sign * loss_fen
        if late_report:
            self.late_reports += sign
        if near_miss:
            self.near_misses += sign
        self.late_supplements += sign * late_supplements
        self.fatalities += sign * fatalities
        self.fatalities_missing += sign * fatalities_missing

    def is_zero(self) -> bool:
        return all(getattr(self, field.name) == 0 for field in fields(self))

    @property
    def direct_loss_yuan(self) -> float:
        return self.direct_loss_fen / FEN_PER_YUAN

    def to_json(self) -> dict[str, Any]:
        """The contract's ``T`` object (§5, with §7's ``fatalities``)."""
        return {
            "incidents": self.incidents,
            "deaths": self.deaths,
            "missing": self.missing,
            "serious_injuries": self.serious_injuries,
            "minor_injuries": self.minor_injuries,
            "direct_loss_yuan": self.direct_loss_yuan,
            "late_reports": self.late_reports,
            "near_misses": self.near_misses,
            "late_supplements": self.late_supplements,
            "fatalities": self.fatalities,
        }


def yuan_to_fen(yuan: float) -> int:
    return round(yuan * FEN_PER_YUAN)
