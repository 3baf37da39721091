"""How fast an incident's report must travel, by the rules of its kind: data, like the
grade tables.

Work-safety accidents follow Decree 493; geological hazards the national emergency plan
for geological disasters (速报: 4 hours for 特大型 and 大型, 12 for 中型 and 小型) and the
natural-disaster statistics (初报 within 2 hours, 续报 daily); forest and grassland fires
the natural-disaster statistics. Each table names its sources and the day it holds
from; ``docs/deadlines.md`` is generated from them. The 迟报 test, the reporting chain's
due times and the follow-up rhythm read these tables (contract §3, §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from safetywatch.events import FIRE_CATEGORIES, Category, Grade

#: National rules come into force at 00:00 Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")


class Rules(StrEnum):
    """Whose reporting rules an incident follows."""

    WORK_SAFETY = "work_safety"
    GEOLOGICAL = "geological"
    FIRE = "fire"


@dataclass(frozen=True)
class Deadline:
    """One time limit and where it is written."""

    limit: timedelta
    source: str
    #: False where the limit could not be read in the published text itself.
    confirmed: bool = True


@dataclass(frozen=True)
class Deadlines:
    rules: Rules
    effective_from: date
    #: 迟报: the first report was made more than this after the occurrence.
    first_report: Deadline
    #: Each level's step by the incident's grade: due this long after the level below
    #: confirmed (the county: after the first report reached the gateway).
    steps: Mapping[Grade, Deadline]
    #: 续报: an incident of 较大 and above, or a near miss, not reported final expects a
    #: new revision this often.
    follow_up: Deadline

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.effective_from, time(), BEIJING)


def _every_grade(deadline: Deadline) -> Mapping[Grade, Deadline]:
    return MappingProxyType(dict.fromkeys(Grade, deadline))


_DECREE_493 = "生产安全事故报告和调查处理条例（国务院令第493号）"
_STATISTICS = "自然灾害情况统计调查制度（应急〔2020〕19号）"
_GEOLOGICAL_PLAN = "国家突发地质灾害应急预案（2006）速报时限"
#: No national text fixes a work-safety follow-up interval: a day is the common practice
#: (and the default the first contract chose); an area may set its own.
_DAILY = "每日续报 (practice; no national article fixes the interval)"

WORK_SAFETY = Deadlines(
    Rules.WORK_SAFETY,
    date(2007, 6, 1),
    first_report=Deadline(timedelta(hours=1), f"{_DECREE_493}第九条：1小时内"),
    steps=_every_grade(
        Deadline(timedelta(hours=2), f"{_DECREE_493}第十条：每级上报的时间不得超过2小时")
    ),
    follow_up=Deadline(timedelta(hours=24), _DAILY, confirmed=False),
)
GEOLOGICAL = Deadlines(
    Rules.GEOLOGICAL,
    date(2020, 3, 8),
    first_report=Deadline(timedelta(hours=2), f"{_STATISTICS}初报：灾害发生后2小时内"),
    steps=MappingProxyType(
        {
            Grade.ORDINARY: Deadline(timedelta(hours=12), f"{_GEOLOGICAL_PLAN}：小型12小时内"),
            Grade.RELATIVELY_SERIOUS: Deadline(
                timedelta(hours=12), f"{_GEOLOGICAL_PLAN}：中型12小时内"
            ),
            Grade.SERIOUS: Deadline(timedelta(hours=4), f"{_GEOLOGICAL_PLAN}：大型4小时内"),
            Grade.PARTICULARLY_SERIOUS: Deadline(
                timedelta(hours=4), f"{_GEOLOGICAL_PLAN}：特大型4小时内"
            ),
        }
    ),
    follow_up=Deadline(timedelta(hours=24), f"{_STATISTICS}续报：灾情稳定前每日报告"),
)
FIRE = Deadlines(
    Rules.FIRE,
    date(2020, 3, 8),
    first_report=Deadline(timedelta(hours=2), f"{_STATISTICS}初报：灾害发生后2小时内"),
    steps=_every_grade(
        Deadline(
            timedelta(hours=2),
            f"{_STATISTICS}初报：地（市）级、省级接报后2小时内审核上报",
            confirmed=False,
        )
    ),
    follow_up=Deadline(timedelta(hours=24), f"{_STATISTICS}续报：灾情稳定前每日报告"),
)

#: Each kind's tables, oldest first: before the first one's day the first one applies.
TABLES: Mapping[Rules, tuple[Deadlines, ...]] = MappingProxyType(
    {Rules.WORK_SAFETY: (WORK_SAFETY,), Rules.GEOLOGICAL: (GEOLOGICAL,), Rules.FIRE: (FIRE,)}
)


def rules_of(category: Category) -> Rules:
    if category is Category.GEOLOGICAL_HAZARD:
        return Rules.GEOLOGICAL
    if category in FIRE_CATEGORIES:
        return Rules.FIRE
    return Rules.WORK_SAFETY


def deadlines_for(category: Category, occurred_at: datetime) -> Deadlines:
    """The table in force when the incident occurred."""
    tables = TABLES[rules_of(category)]
    in_force = [t for t in tables if t.starts <= occurred_at] or [tables[0]]
    return in_force[-1]


#: The 迟报 limit of each category whose rules have one table (all, today): the replay
#: asks it of every record.
_FIRST_REPORT = {
    category: TABLES[rules_of(category)][0].first_report.limit
    for category in Category
    if len(TABLES[rules_of(category)]) == 1
}


def first_report_limit(category: Category, occurred_at: datetime) -> timedelta:
    """迟报: the first report was made more than this after the occurrence."""
    limit = _FIRST_REPORT.get(category)
    return limit if limit is not None else deadlines_for(category, occurred_at).first_report.limit
