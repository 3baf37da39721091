"""The bulletin as a Word document a bureau files and edits (``GET /v1/bulletin?format=docx``):
A4, a heading, the Chinese paragraphs, the figures table, then the English."""

from __future__ import annotations

import io

from safetywatch.accounting import (
    BulletinFacts,
    Language,
    Totals,
    bulletin_paragraphs,
    change_percent,
    period_en,
    period_zh,
)
from safetywatch.events import GROUP_CATEGORIES, Group

TABLE_HEADINGS = (
    "类别 Category",
    "起数 Accidents",
    "死亡 Deaths",
    "受伤 Injured",
    "上年同期起数 Accidents a year earlier",
    "上年同期死亡 Deaths a year earlier",
    "起数同比 Change %",
    "死亡同比 Change %",
)


def _percent(now: int, before: int) -> str:
    change = change_percent(now, before)
    return "—" if change is None else f"{change:+.1f}%"


def _row(label: str, now: Totals, before: Totals) -> list[str]:
    return [
        label,
        str(now.incidents),
        str(now.fatalities),
        str(now.serious_injuries + now.minor_injuries),
        str(before.incidents),
        str(before.fatalities),
        _percent(now.incidents, before.incidents),
        _percent(now.fatalities, before.fatalities),
    ]


def figure_rows(facts: BulletinFacts) -> list[list[str]]:
    """The work-safety categories with accidents this year or last, and the total."""
    now, before = facts.summary, facts.last_year
    rows = [
        _row(
            f"{facts.names[c].zh_counted} {facts.names[c].en}",
            now.by_category[c],
            before.by_category[c],
        )
        for c in GROUP_CATEGORIES[Group.PRODUCTION_SAFETY]
        if now.by_category[c].incidents or before.by_category[c].incidents
    ]
    work = Group.PRODUCTION_SAFETY
    rows.append(_row("合计 Total", now.groups[work], before.groups[work]))
    return rows


def bulletin_docx(facts: BulletinFacts) -> bytes:
    # Imported when asked for, as openpyxl is: most replicas never write a document.
    from docx import Document
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Mm(25))
    period = facts.summary.period
    document.add_heading(f"{facts.place.zh}{period_zh(period)}安全生产和自然灾害情况通报", level=1)
    for paragraph in bulletin_paragraphs(facts, Language.ZH):
        document.add_paragraph(paragraph)
    document.add_heading("生产安全事故分类统计 Work-safety accidents by category", level=2)
    table = document.add_table(rows=1, cols=len(TABLE_HEADINGS))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, TABLE_HEADINGS, strict=True):
        cell.text = heading
    for values in figure_rows(facts):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.add_heading(
        f"Work safety and natural disasters: {period_en(period)}, {facts.place.en}", level=2
    )
    for paragraph in bulletin_paragraphs(facts, Language.EN):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
