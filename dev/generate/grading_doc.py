"""docs/grading.md, generated from the grade tables themselves: the document cannot
say one bound while the code grades by another."""

from __future__ import annotations

from collections.abc import Mapping

from safetywatch.accounting import THREAT_TABLES, Criterion, GradeTable, grade_term, national_tables
from safetywatch.events import CATEGORY_NAMES, Category, Grade

_CRITERIA_ZH = {
    Criterion.CASUALTIES: "死亡（含失踪）",
    Criterion.SERIOUS_INJURIES: "重伤",
    Criterion.CASUALTIES_AND_SERIOUS_INJURIES: "死亡和重伤合计",
    Criterion.DIRECT_LOSS_YUAN: "直接经济损失（元）",
    Criterion.AREA_HA: "受害面积（公顷）",
    Criterion.THREATENED_PEOPLE: "受威胁需转移人数",
    Criterion.POTENTIAL_LOSS_YUAN: "潜在经济损失（元）",
}

#: Where each national table's bounds were checked, and how far.
CONFIRMATION = {
    "生产安全事故报告和调查处理条例（国务院令第493号）第三条": "as the decree's art. 3 is commonly quoted (unchanged from the first contract); not re-checked against the gazette",
    "地质灾害防治条例（国务院令第394号）第四条": "confirmed against the decree's published text (art. 4 quoted in full by several sources)",
    "国家突发地质灾害应急预案（2006）地质灾害险情分级": "confirmed against the plan's grading as restated by provincial and county plans (the national plan's own page was not at hand)",
    "森林防火条例（2008年修订，国务院令第541号）第四十条": "confirmed against art. 40 as quoted in full",
    "森林草原防灭火条例（国务院令第822号）第四十五条": "confirmed against art. 45 as quoted in full by one legal commentary (2026-01-21); not against the State Council gazette",
    "草原火灾级别划分规定（农业部 农牧发〔2010〕7号）第四条": "confirmed against art. 4 as republished in full (安全管理网, 2010-05-10); not against the ministry's gazette",
}

HEADER = """# Grades

Generated from the grade tables by `python -m dev.generate` (a test fails when this file
and the code disagree). The grade of an incident is computed by safetywatch, never taken
from a client, by the table **in force on the day it occurred** in the area's time zone.
Any one criterion reaching a grade is enough; the highest grade reached wins; a bound
belongs to its grade ("以上包括本数，以下不包括本数"). Casualties are deaths and missing
together. Before a category's first table's day that first table applies (the
regulations it replaced are not modelled). The metric label is the common ordinal
(`ordinary`, `relatively_serious`, `serious`, `particularly_serious`); people read the
category's own term.

Fires are graded by the *damaged* area (受害森林面积, 受害草原面积); a report that gives
only the burned area (过火面积, which is larger) is graded by it, and the incident says
so (`graded_by_burned_area`). A geological report with threat figures (受威胁人数,
潜在经济损失) gets a threat grade (险情) beside its disaster grade (灾情); with no casualty
and no loss it is a threat, and the grade rule alerts on it as on an accident, saying
险情. An area YAML may add a local table for a category from a later day (`grading:`),
validated like these.

A table may set a minimum (the bounds of 一般): a fire that reaches none of them is not a
fire but a 火情 — Decree 822 art. 45 starts 一般森林火灾 at 0.067 ha of damaged forest (or
a death, or a serious injury) and 一般草原火灾 at 10 ha; the 2010 grassland rule at 10 ha,
a serious injury or 5,000 yuan. Such a report is counted among the `fire_outbreaks`, not
the incidents (contract §3). Grassland fires before 2026 are graded by the 2010 rule of
the Ministry of Agriculture, which also counts deaths and serious injuries together
(死亡和重伤合计). Decree 493 and the fire regulations count deaths; safetywatch counts the
missing with them, as the official statistics do.
"""


def _table_rows(table: GradeTable, category: Category, threat: bool) -> list[str]:
    rows = []
    for grade in reversed(Grade):
        if grade is Grade.ORDINARY:
            continue
        criteria = _bounds(table.bounds.get(grade, {}))
        zh, en = grade_term(category, grade, threat=threat)
        rows.append(f"| `{grade.value}` | {zh} ({en}) | {criteria} |")
    zh, en = grade_term(category, Grade.ORDINARY, threat=threat)
    minimum = table.minimum
    if minimum is None:
        rows.append(f"| `ordinary` | {zh} ({en}) | everything below |")
    else:
        rows.append(f"| `ordinary` | {zh} ({en}) | {_bounds(minimum)} |")
        rows.append("| — | 火情 (below the minimum: not a fire) | none of the above |")
    return rows


def _bounds(bounds: Mapping[Criterion, float]) -> str:
    return "; ".join(
        f"{_CRITERIA_ZH[c]} ≥ {b:,.3g}" if b < 1000 else f"{_CRITERIA_ZH[c]} ≥ {b:,.0f}"
        for c, b in bounds.items()
    )


def _section(title: str, table: GradeTable, category: Category, threat: bool = False) -> str:
    lines = [
        f"## {title}, from {table.effective_from}",
        "",
        f"Source: {table.source}. Bounds {CONFIRMATION.get(table.source, 'not confirmed')}.",
        "",
        "| grade | term | lower bounds (any one is enough) |",
        "|---|---|---|",
        *_table_rows(table, category, threat),
    ]
    return "\n".join(lines)


def grading_document() -> str:
    sections = [HEADER.rstrip()]
    seen: set[int] = set()
    for category in Category:
        for table in national_tables(category):
            if id(table) in seen:
                continue
            seen.add(id(table))
            users = [c for c in Category if table in national_tables(c)]
            title = "、".join(CATEGORY_NAMES[c].zh for c in users)
            sections.append(_section(title, table, category))
    for table in THREAT_TABLES:
        sections.append(
            _section(
                "地质灾害险情 (geological threats)", table, Category.GEOLOGICAL_HAZARD, threat=True
            )
        )
    return "\n\n".join(sections) + "\n"
