"""The cells of each exposed period, summed to the metrics' region level and kept between
scrapes.

A scrape at a province's or the country's scale sums tens of thousands of county cells
over up to twelve months for each of its periods. Most of those months do not change
between two scrapes: a month's sum is redone only when its cells moved (``changes``),
and a period's only when one of its months was redone. Only the months the last scrape
read are kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from safetywatch.accounting import CellCounts, CellKey, Ledger, Period, Totals
from safetywatch.config import AreaConfig
from safetywatch.regions import Level

_NOTHING: Mapping[CellKey, Totals] = {}


class MetricLevelSums:
    def __init__(self, ledger: Ledger, area: AreaConfig) -> None:
        self._ledger = ledger
        self._area = area
        #: month -> (its cells, their ``changes``, their sum at the metrics' level)
        self._months: dict[int, tuple[CellCounts, int, Mapping[CellKey, Totals]]] = {}
        #: period -> (the month sums it was made of, its sum)
        self._periods: dict[
            Period, tuple[tuple[Mapping[CellKey, Totals], ...], Mapping[CellKey, Totals]]
        ] = {}
        self._metric_region: dict[str, str] = {}

    def read(self, periods: list[Period]) -> list[Mapping[CellKey, Totals]]:
        """Each period's cells by (region at the metrics' level, category, grade, apart);
        absent cells are zero. The mappings are shared: read them, never change them."""
        months_read = {month for period in periods for month in period.months}
        for month in set(self._months) - months_read:
            del self._months[month]
        sums = [self._period(period) for period in periods]
        for period in set(self._periods) - set(periods):
            del self._periods[period]
        return sums

    def _period(self, period: Period) -> Mapping[CellKey, Totals]:
        parts = tuple(self._month(month) for month in period.months)
        kept = self._periods.get(period)
        if kept is not None and all(a is b for a, b in zip(kept[0], parts, strict=True)):
            return kept[1]
        if len(parts) == 1:
            summed = parts[0]
        else:
            total: dict[CellKey, Totals] = {}
            for part in parts:
                for key, totals in part.items():
                    if (cell := total.get(key)) is None:
                        cell = total[key] = Totals()
                    cell.add(totals)
            summed = total
        self._periods[period] = (parts, summed)
        return summed

    def _month(self, month: int) -> Mapping[CellKey, Totals]:
        cells = self._ledger.month_cells(month)
        if cells is None:
            self._months.pop(month, None)
            return _NOTHING
        kept = self._months.get(month)
        if kept is not None and kept[0] is cells and kept[1] == cells.changes:
            return kept[2]
        changes = cells.changes
        if self._area.metrics.region_level is Level.COUNTY:
            summed: Mapping[CellKey, Totals] = cells.totals()
        else:
            region_of = self._metric_region
            for region in cells.regions() - region_of.keys():
                region_of[region] = self._area.metric_region(region)
            summed = cells.totals_by(region_of)
        self._months[month] = (cells, changes, summed)
        return summed
