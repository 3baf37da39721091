"""The bulletin a city reads out, in the official form (contract §7):

"2026年1—11月，全市共发生各类生产安全事故312起、死亡118人，同比分别下降8.2%、5.6%；
其中，较大事故3起、死亡11人；道路运输事故280起、死亡100人……。另有非生产经营性道路交通事故
9起、死亡2人。自然灾害方面，发生地质灾害灾情4起、死亡和失踪7人，险情2处。"

Work-safety accidents first, with the change from the same period last year, a clause
for 较大 and above, then one clause per category with incidents (official order); the
non-business road and fire accidents counted apart in a sentence of their own; natural
disasters in another, geological disasters (灾情) and threats (险情) apart;
``fatalities`` are the deaths, with the missing named (下落不明) when there are any.
Chinese and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from safetywatch.accounting.layout import Totals
from safetywatch.accounting.periods import Period, PeriodKind
from safetywatch.accounting.summary import Summary, change_percent
from safetywatch.events import (
    APART_NAMES,
    CATEGORY_NAMES,
    GROUP_CATEGORIES,
    OUTBREAK_NAMES,
    Category,
    Grade,
    Group,
    Names,
)
from safetywatch.regions import Place


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_GRADES_ABOVE = (Grade.PARTICULARLY_SERIOUS, Grade.SERIOUS, Grade.RELATIVELY_SERIOUS)
_GRADE_EN = {
    Grade.PARTICULARLY_SERIOUS: "particularly serious",
    Grade.SERIOUS: "serious",
    Grade.RELATIVELY_SERIOUS: "relatively serious",
    Grade.ORDINARY: "ordinary",
}


def period_zh(period: Period) -> str:
    first_year, first_month = divmod(period.first, 12)
    last_year, last_month = divmod(period.last, 12)
    if period.kind is PeriodKind.QUARTER:
        return f"{first_year}年第{_QUARTER_ZH[first_month // 3 + 1]}季度"
    if period.length == 1:
        return f"{first_year}年{first_month + 1}月"
    if first_year == last_year:
        if (first_month, last_month) == (0, 11):
            return f"{first_year}年"
        return f"{first_year}年{first_month + 1}—{last_month + 1}月"
    return f"{first_year}年{first_month + 1}月—{last_year}年{last_month + 1}月"


def period_en(period: Period) -> str:
    first_year, first_month = divmod(period.first, 12)
    last_year, last_month = divmod(period.last, 12)
    if period.kind is PeriodKind.QUARTER:
        return f"In Q{first_month // 3 + 1} {first_year}"
    if period.length == 1:
        return f"In {_MONTHS_EN[first_month]} {first_year}"
    if first_year == last_year and (first_month, last_month) == (0, 11):
        return f"In {first_year}"
    start = _MONTHS_EN[first_month] + ("" if first_year == last_year else f" {first_year}")
    return f"From {start} to {_MONTHS_EN[last_month]} {last_year}"


def bulletin_text(
    summary: Summary,
    last_year: Summary,
    place: Place,
    language: Language,
    names: Mapping[Category, Names] = CATEGORY_NAMES,
) -> str:
    if language is Language.ZH:
        return _Zh(summary, last_year, place, names).text()
    return _En(summary, last_year, place, names).text()


class _Bulletin:
    def __init__(
        self, summary: Summary, last_year: Summary, place: Place, names: Mapping[Category, Names]
    ) -> None:
        self.summary = summary
        self.work = summary.groups[Group.PRODUCTION_SAFETY]
        self.work_last_year = last_year.groups[Group.PRODUCTION_SAFETY]
        self.natural = summary.groups[Group.NATURAL_DISASTER]
        self.place = place
        self.names = names

    def present(self, group: Group) -> list[tuple[Category, Totals]]:
        """The group's categories with incidents or threats, in the official order."""
        by_category = self.summary.by_category
        return [
            (c, by_category[c])
            for c in GROUP_CATEGORIES[group]
            if by_category[c].incidents or by_category[c].threats or by_category[c].fire_outbreaks
        ]

    def apart(self) -> list[tuple[Names, Totals]]:
        """The non-business accidents counted apart, by category, where there are any."""
        by_category = self.summary.apart_by_category
        return [(APART_NAMES[c], t) for c, t in by_category.items() if t.incidents]

    @property
    def quiet(self) -> bool:
        """No work-safety accident and no natural disaster, threat or 火情."""
        natural = self.natural
        return not (
            self.work.incidents or natural.incidents or natural.threats or natural.fire_outbreaks
        )

    def changes(self) -> list[tuple[str, float | None]]:
        """Incidents and fatalities against the same period last year."""
        return [
            ("incidents", change_percent(self.work.incidents, self.work_last_year.incidents)),
            ("fatalities", change_percent(self.work.fatalities, self.work_last_year.fatalities)),
        ]

    def graded(self) -> list[tuple[Grade, Totals]]:
        by_grade = self.summary.work_by_grade
        return [(g, by_grade[g]) for g in _GRADES_ABOVE if by_grade[g].incidents]


class _Zh(_Bulletin):
    def text(self) -> str:
        opening = f"{period_zh(self.summary.period)}，{self.place.zh}"
        if self.quiet:
            return f"{opening}未发生生产安全事故和自然灾害。" + self._apart()
        if not self.work.incidents:
            first = f"{opening}未发生生产安全事故。"
        else:
            first = f"{opening}共发生各类生产安全事故{self.work.incidents}起、{_dead_zh(self.work)}"
            first += self._year_on_year() + self._details() + "。"
        return first + self._apart() + self._natural()

    def _apart(self) -> str:
        if not (apart := self.apart()):
            return ""
        clauses = "，".join(f"{n.zh_counted}{t.incidents}起{_clause_dead_zh(t)}" for n, t in apart)
        return f"另有{clauses}。"

    def _year_on_year(self) -> str:
        known = [(name, change) for name, change in self.changes() if change is not None]
        if len(known) == 2:
            first, second = (_change_zh(change) for _, change in known)
            if first[:2] == second[:2] and first != "持平":
                second = second[2:]  # 同比分别下降8.2%、5.6%
            return f"，同比分别{first}、{second}"
        if known:
            figure = {"incidents": "事故起数", "fatalities": "死亡人数"}[known[0][0]]
            return f"，{figure}同比{_change_zh(known[0][1])}"
        return ""

    def _details(self) -> str:
        parts = []
        if graded := self.graded():
            parts.append("，".join(f"{g.zh}事故{t.incidents}起、{_dead_zh(t)}" for g, t in graded))
        if present := self.present(Group.PRODUCTION_SAFETY):
            parts.append(
                "，".join(
                    f"{self.names[c].zh_counted}{t.incidents}起{_clause_dead_zh(t)}"
                    for c, t in present
                )
            )
        return "；其中，" + "；".join(parts)

    def _natural(self) -> str:
        if not (present := self.present(Group.NATURAL_DISASTER)):
            return ""
        return f"自然灾害方面，发生{'，'.join(self._disaster(c, t) for c, t in present)}。"

    def _disaster(self, category: Category, totals: Totals) -> str:
        """地质灾害灾情2起、死亡和失踪3人，险情1处; 森林火灾1起，森林火情2起."""
        name = self.names[category].zh_counted
        dead = f"、死亡和失踪{totals.fatalities}人" if totals.fatalities else ""
        parts = []
        if totals.incidents:
            parts.append(f"{name}{'灾情' if totals.threats else ''}{totals.incidents}起{dead}")
        if totals.threats:
            parts.append(f"{'' if totals.incidents else name}险情{totals.threats}处")
        if totals.fire_outbreaks:
            parts.append(f"{OUTBREAK_NAMES[category].zh_counted}{totals.fire_outbreaks}起")
        return "，".join(parts)


def _dead_zh(totals: Totals) -> str:
    missing = f"（含下落不明{totals.fatalities_missing}人）" if totals.fatalities_missing else ""
    return f"死亡{totals.fatalities}人{missing}"


def _clause_dead_zh(totals: Totals) -> str:
    """A category's clause says the dead only when there are any."""
    return f"、{_dead_zh(totals)}" if totals.fatalities else ""


def _change_zh(change: float | None) -> str:
    assert change is not None
    if change > 0:
        return f"上升{change:.1f}%"
    if change < 0:
        return f"下降{-change:.1f}%"
    return "持平"


def _count(number: int, forms: tuple[str, str]) -> str:
    return f"{number} {forms[0] if number == 1 else forms[1]}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _dead_en(totals: Totals) -> str:
    dead = _count(totals.fatalities, ("death", "deaths"))
    if totals.fatalities_missing:
        dead += f" ({totals.fatalities_missing} of them missing)"
    return dead


def _change_en(change: float) -> str:
    if change > 0:
        return f"up {change:.1f}%"
    if change < 0:
        return f"down {-change:.1f}%"
    return "unchanged"


class _En(_Bulletin):
    def text(self) -> str:
        opening = f"{period_en(self.summary.period)}, {self.place.en}"
        if self.quiet:
            return (
                f"{opening} recorded no work-safety accidents and no natural disasters."
                + self._apart()
            )
        if not self.work.incidents:
            first = f"{opening} recorded no work-safety accidents."
        else:
            accidents = _count(
                self.work.incidents, ("work-safety accident", "work-safety accidents")
            )
            first = f"{opening} recorded {accidents} with {_dead_en(self.work)}"
            first += self._year_on_year() + self._details() + "."
        return first + self._apart() + self._natural()

    def _apart(self) -> str:
        if not (apart := self.apart()):
            return ""
        clauses = [
            _count(t.incidents, n.en_counted) + (f" with {_dead_en(t)}" if t.fatalities else "")
            for n, t in apart
        ]
        return f" Counted apart: {_listed(clauses)}."

    def _year_on_year(self) -> str:
        known = [(name, change) for name, change in self.changes() if change is not None]
        if len(known) == 2:
            first, second = (_change_en(change) for _, change in known)
            if first.split()[0] == second.split()[0] and first != "unchanged":
                second = second.split()[1]  # down 8.2% and 5.6%
            return f", {first} and {second} year on year"
        if known:
            figure = {"incidents": "accidents", "fatalities": "deaths"}[known[0][0]]
            return f", {figure} {_change_en(known[0][1])} year on year"
        return ""

    def _details(self) -> str:
        parts = []
        if graded := self.graded():
            parts.append(
                _listed(
                    [
                        f"{_count(t.incidents, (f'{_GRADE_EN[g]} accident', f'{_GRADE_EN[g]} accidents'))} with {_dead_en(t)}"
                        for g, t in graded
                    ]
                )
            )
        parts.append(
            _listed(
                [
                    _count(t.incidents, self.names[c].en_counted)
                    + (f" with {_dead_en(t)}" if t.fatalities else "")
                    for c, t in self.present(Group.PRODUCTION_SAFETY)
                ]
            )
        )
        return "; including " + "; ".join(parts)

    def _natural(self) -> str:
        if not (present := self.present(Group.NATURAL_DISASTER)):
            return ""
        clauses = [clause for c, t in present for clause in self._disasters(c, t)]
        return f" Natural disasters: {_listed(clauses)}."

    def _disasters(self, category: Category, totals: Totals) -> list[str]:
        """["2 geological hazards with 3 dead or missing", "1 geological threat"]."""
        clauses = []
        if totals.incidents:
            clauses.append(
                _count(totals.incidents, self.names[category].en_counted)
                + (f" with {totals.fatalities} dead or missing" if totals.fatalities else "")
            )
        if totals.threats:
            kind = self.names[category].en.lower()
            clauses.append(_count(totals.threats, (f"{kind} threat", f"{kind} threats")))
        if totals.fire_outbreaks:
            forms = OUTBREAK_NAMES[category].en_counted
            clauses.append(_count(totals.fire_outbreaks, forms) + " below the minimum")
        return clauses
