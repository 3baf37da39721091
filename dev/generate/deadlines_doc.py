"""docs/deadlines.md, generated from the deadline tables: the document cannot say one
limit while the reporting chain counts by another."""

from __future__ import annotations

from datetime import timedelta

from safetywatch.accounting import DEADLINE_TABLES, Deadline, Deadlines, Rules, grade_term, rules_of
from safetywatch.events import CATEGORY_NAMES, Category, Grade

_EXAMPLE = {
    Rules.WORK_SAFETY: Category.COAL_MINE,
    Rules.GEOLOGICAL: Category.GEOLOGICAL_HAZARD,
    Rules.FIRE: Category.FOREST_FIRE,
}
_TITLES = {
    Rules.WORK_SAFETY: "生产安全事故 (work-safety accidents)",
    Rules.GEOLOGICAL: "地质灾害 (geological hazards)",
    Rules.FIRE: "森林草原火灾 (forest and grassland fires)",
}

HEADER = """# Deadlines

Generated from the deadline tables (`safetywatch/accounting/deadlines.py`) by
`python -m dev.generate` (a test fails when this file and the code disagree). Each
incident follows the rules of its kind, in force on the day it occurred (Beijing time);
before a kind's first table that first table applies.

- **迟报** (late report): the first report was made more than *first report* after the
  occurrence (contract §3).
- **Steps** of the reporting chain: the county's step is due a step after the first
  report reached the gateway, each higher level's a step after the level below
  confirmed (contract §8); the step's length is the table's for the incident's official
  grade (the higher of disaster and threat).
- **续报** (follow-ups): an incident of 较大 and above, or a near miss, that no report has
  called final expects a new revision every *follow-up*.

An area may set a stricter rule of its own for every category (`reporting: {step_hours,
follow_up_hours}` in its YAML); it then replaces the tables' steps or follow-ups.
A limit marked *unconfirmed* could not be read in the published text itself.
"""


def _hours(limit: timedelta) -> str:
    hours = limit.total_seconds() / 3600
    return f"{hours:g} h"


def _cell(deadline: Deadline) -> str:
    mark = "" if deadline.confirmed else " *(unconfirmed)*"
    return f"{_hours(deadline.limit)} — {deadline.source}{mark}"


def _section(table: Deadlines) -> str:
    users = [c for c in Category if rules_of(c) is table.rules]
    category = _EXAMPLE[table.rules]
    lines = [
        f"## {_TITLES[table.rules]}, from {table.effective_from}",
        "",
        f"Categories: {'、'.join(CATEGORY_NAMES[c].zh for c in users)}.",
        "",
        "| what | limit and source |",
        "|---|---|",
        f"| first report (迟报) | {_cell(table.first_report)} |",
    ]
    for grade in Grade:
        zh, en = grade_term(category, grade)
        lines.append(f"| step, {zh} ({en}) | {_cell(table.steps[grade])} |")
    lines.append(f"| follow-up (续报) | {_cell(table.follow_up)} |")
    return "\n".join(lines)


def deadlines_document() -> str:
    sections = [HEADER.rstrip()]
    for versions in DEADLINE_TABLES.values():
        sections += [_section(table) for table in versions]
    return "\n\n".join(sections) + "\n"
