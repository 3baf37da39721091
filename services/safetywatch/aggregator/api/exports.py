"""The register as a table: CSV, and an Excel workbook with the register and the totals
by category × region that bureaus fill in (台账 and 分类分地区统计表)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from safetywatch.accounting import Summary, Totals
from safetywatch.events import APART_NAMES, GROUP_NAMES, Category, Group, Names, neutralised
from safetywatch.regions import Area

#: The register's columns: (key of the incident document, heading zh, heading en).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("incident_id", "事故编号", "incident id"),
    ("revision", "版本", "revision"),
    ("occurred_at", "发生时间", "occurred at"),
    ("month", "月份", "month"),
    ("region_code", "区划代码", "region code"),
    ("region_name", "地区", "region"),
    ("category", "类别代码", "category"),
    ("category_name", "类别", "category name"),
    ("grade", "等级代码", "grade"),
    ("situation", "灾情/险情", "disaster or threat"),
    ("non_business", "非生产经营性（另计）", "non-business (counted apart)"),
    ("imported", "历史导入", "imported history"),
    ("grade_name", "等级", "grade name"),
    ("current_grade_name", "当前等级（窗口外数字）", "current grade (latest figures)"),
    ("deaths", "死亡", "deaths"),
    ("missing", "失踪", "missing"),
    ("fatalities", "统计死亡（含失踪）", "fatalities"),
    ("serious_injuries", "重伤", "serious injuries"),
    ("minor_injuries", "轻伤", "minor injuries"),
    ("direct_loss_yuan", "直接经济损失（元）", "direct loss (yuan)"),
    ("late_report", "迟报", "late report"),
    ("near_miss", "较大涉险", "near miss"),
    ("late_supplements", "超期补报", "late supplements"),
    ("title", "标题", "title"),
    ("unit_id", "报告单位", "reporting unit"),
    ("first_received_at", "首报接收时间", "first received at"),
    ("chain", "上报链", "reporting chain"),
    ("next_follow_up_due", "续报截止", "next follow-up due"),
    ("final", "终报", "final"),
)

_STEP_WORDS = {
    "confirmed": "按时",
    "late": "迟报",
    "open": "待报",
    "overdue": "逾期",
    "waiting": "未开始",
}
_HEADINGS = [f"{zh} {en}" for _, zh, en in COLUMNS]


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
    writer.writerow(_HEADINGS)
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
    register.append(_HEADINGS)
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
