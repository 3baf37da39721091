"""The register as a table: CSV, and an Excel workbook with the register and the totals
by category × region that bureaus fill in (台账 and 分类分地区统计表)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from safetywatch.accounting import Summary, Totals
from safetywatch.events import (
    APART_NAMES,
    GROUP_NAMES,
    Category,
    Group,
    Names,
    neutralised,
)
from safetywatch.events import (
    REGISTER_COLUMNS as COLUMNS,
)
from safetywatch.events import (
    REGISTER_HEADINGS as HEADINGS,
)
from safetywatch.regions import Area

_STEP_WORDS = {
    "confirmed": "按时",
    "late": "迟报",
    "open": "待报",
    "overdue": "逾期",
    "waiting": "未开始",
}


def _chain_text(chain: list[Mapping[str, Any]]) -> str:
    """One cell: "county 按时 2026-03-01T10:05:00+08:00; city 逾期 (due …)"."""
    parts = []
    for step in chain:
        when = step["confirmed_at"] or f"due {step['due_at'] or '-'}"
        parts.append(f"{step['level']} {_STEP_WORDS[step['status']]} {when}")
    return "; ".join(parts)


def _cells(row: Mapping[str, Any]) -> list[Any]:
    """A row's cells, no text of them a formula (a unit's title is the unit's words)."""
    cells = [row.get(key, "") for key, _, _ in COLUMNS]
    return [neutralised(_chain_text(cell) if isinstance(cell, list) else cell) for cell in cells]


def register_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow(_cells(row))
    # A byte-order mark so that a spreadsheet opens the Chinese headings as UTF-8.
    return "\ufeff" + out.getvalue()


#: Counted apart from the incidents, in the same sheet: (row, category, figure).
_APART_FIGURES = (
    ("地质灾害险情（处）", Category.GEOLOGICAL_HAZARD, "threats"),
    ("森林火情（起）", Category.FOREST_FIRE, "fire_outbreaks"),
    ("草原火情（起）", Category.GRASSLAND_FIRE, "fire_outbreaks"),
)


def _totals_rows(
    summary: Summary, area: Area, names: Mapping[Category, Names], regions: list[str]
) -> Iterable[list[Any]]:
    def row(label: str, of_region: Mapping[str, Totals], total: Totals) -> list[Any]:
        cells: list[Any] = [label]
        for region in regions:
            cells += [of_region[region].incidents, of_region[region].fatalities]
        return [*cells, total.incidents, total.fatalities]

    by_region_category = summary.by_region_category
    zero = Totals()
    for category in Category:
        total = summary.by_category[category]
        of_region = {r: by_region_category.get((r, category), zero) for r in regions}
        yield row(names[category].zh_counted, of_region, total)
    for group in Group:
        of_region = {r: summary.by_region_group.get((r, group), zero) for r in regions}
        yield row(f"{GROUP_NAMES[group].zh}合计", of_region, summary.groups[group])
    yield row("合计 Total", {r: summary.by_region.get(r, zero) for r in regions}, summary.totals)
    # Counted apart, after the total they are not in: non-business accidents and threats.
    for category, total in summary.apart_by_category.items():
        cells = summary.apart_by_region_category
        of_region = {r: cells.get((r, category), zero) for r in regions}
        yield row(APART_NAMES[category].zh_counted, of_region, total)
    for label, category, figure in _APART_FIGURES:
        counts = [getattr(by_region_category.get((r, category), zero), figure) for r in regions]
        total = getattr(summary.by_category[category], figure)
        yield [label, *(v for n in counts for v in (n, "")), total, ""]


def register_xlsx(
    rows: Iterable[Mapping[str, Any]],
    summary: Summary,
    area: Area,
    names: Mapping[Category, Names],
) -> bytes:
    # Imported when asked for: openpyxl brings numpy and Pillow, 18 MB the aggregator
    # would otherwise hold from start-up for an export most replicas never write.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    register = workbook.create_sheet("台账 Register")
    register.append(HEADINGS)
    for row in rows:
        register.append(_cells(row))
    totals = workbook.create_sheet("分类分地区 Totals")
    regions = sorted(summary.by_region)
    heading: list[str] = ["类别 Category"]
    for region in regions:
        heading += [f"{area.name_of(region)} 起数", f"{area.name_of(region)} 死亡"]
    totals.append([*heading, "合计 起数", "合计 死亡"])
    for line in _totals_rows(summary, area, names, regions):
        totals.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
