"""The bulletin in English, beside the Chinese (contract §7)."""

from __future__ import annotations

from safetywatch.accounting.bulletin.facts import (
    Change,
    Writer,
    changes,
    injured,
    number,
    period_en,
    share_percent,
)
from safetywatch.accounting.grade_tables import grade_term
from safetywatch.accounting.indicators import rate_change
from safetywatch.accounting.layout import Totals
from safetywatch.accounting.periods import PeriodKind
from safetywatch.accounting.rates import Rate
from safetywatch.accounting.targets import TargetFigure, TargetProgress
from safetywatch.events import FIRE_CATEGORIES, OUTBREAK_NAMES, Category, Grade, Group

_GRADE_EN = {
    Grade.PARTICULARLY_SERIOUS: "particularly serious",
    Grade.SERIOUS: "serious",
    Grade.RELATIVELY_SERIOUS: "relatively serious",
    Grade.ORDINARY: "ordinary",
}
_DAMAGED_EN = {Category.FOREST_FIRE: "forest", Category.GRASSLAND_FIRE: "grassland"}


def _count(number: int, forms: tuple[str, str]) -> str:
    return f"{number} {forms[0] if number == 1 else forms[1]}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _dead_en(totals: Totals) -> str:
    dead = _count(totals.fatalities, ("death", "deaths"))
    if totals.fatalities_missing:
        dead += f" ({totals.fatalities_missing} of them missing)"
    return dead


def _percent_en(change: float) -> str:
    if change > 0:
        return f"up {change:.1f}%"
    if change < 0:
        return f"down {-change:.1f}%"
    return "unchanged"


def _compared_en(label: str, now: Totals, before: Totals, earlier: str) -> str:
    """1 fewer accident and 2 fewer deaths year on year (down 12.5% and 20.0%)."""
    incidents, fatalities = changes(now, before)
    if not incidents.delta and not fatalities.delta:
        return f"as many accidents and deaths as {earlier}"

    def amount(change: Change, forms: tuple[str, str]) -> str:
        if not change.delta:
            return f"as many {forms[1]}"
        word = "more" if change.delta > 0 else "fewer"
        number = abs(change.delta)
        return f"{number} {word} {forms[0] if number == 1 else forms[1]}"

    text = (
        f"{amount(incidents, ('accident', 'accidents'))} and "
        f"{amount(fatalities, ('death', 'deaths'))} {label}"
    )
    named = (("accidents", incidents), ("deaths", fatalities))
    notes = []
    percents = [(n, c.percent) for n, c in named if c.delta and c.percent is not None]
    if len(percents) == 2:
        first, second = (_percent_en(p) for _, p in percents if p is not None)
        if first.split()[0] == second.split()[0]:
            second = second.split()[1]  # down 12.5% and 20.0%
        notes.append(f"{first} and {second}")
    elif percents:
        name, percent = percents[0]
        assert percent is not None
        notes.append(f"{name} {_percent_en(percent)}")
    zero = [n for n, c in named if c.delta and c.before == 0]
    if zero:
        notes.append(f"none {earlier}" if len(zero) == 2 else f"no {zero[0]} {earlier}")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _rate_en(now: Rate, before: Rate) -> str:
    text = f"{now.indicator.en}: {now.rounded():.3f}"
    if before.value is None:
        return text
    change = rate_change(now, before)
    if change is None:
        return text + " (0 a year earlier)"
    return text + f", {_percent_en(change)} year on year ({before.rounded():.3f})"


def _target_en(target: TargetProgress) -> str:
    forms = (
        ("death", "deaths") if target.figure is TargetFigure.DEATHS else ("accident", "accidents")
    )
    subject = (
        _count(target.value, forms)
        if target.figure is TargetFigure.DEATHS
        else _count(
            target.value,
            ("relatively serious or worse accident", "relatively serious or worse accidents"),
        )
    )
    assert target.target is not None
    if target.share is None:
        within = "over" if target.value else "within"
        return f"{subject}, {within} the annual target of 0 {forms[1]}"
    text = f"{subject}, {share_percent(target)}% of the annual target of {_count(target.target, forms)}"
    points = target.points_over
    assert points is not None
    if points:
        side = "above" if points > 0 else "below"
        text += f", {abs(points):.1f} points {side} the time progress"
    else:
        text += ", level with the time progress"
    if target.figure is TargetFigure.DEATHS and (over := target.to_json()["above_progress_by"]):
        side = "more" if over > 0 else "fewer"
        text += f" ({number(abs(over))} {side} than the pace allows)"
    return text


class English(Writer):
    def accidents(self) -> str:
        opening = f"{period_en(self.summary.period)}, {self.place.en}"
        if self.quiet:
            return (
                f"{opening} recorded no work-safety accidents and no natural disasters."
                + self._apart()
            )
        if not self.work.incidents:
            return f"{opening} recorded no work-safety accidents." + self._apart()
        accidents = _count(self.work.incidents, ("work-safety accident", "work-safety accidents"))
        text = f"{opening} recorded {accidents} with {_dead_en(self.work)}"
        if hurt := injured(self.work):
            text += f" and {_count(hurt, ('injury', 'injuries'))}"
        text += ", " + _compared_en(
            "year on year", self.work, self.work_last_year, "a year earlier"
        )
        if (previous := self.facts.previous) is not None:
            before = previous.groups[Group.PRODUCTION_SAFETY]
            kind = "month" if self.summary.period.kind is PeriodKind.MONTH else "quarter"
            text += "; " + _compared_en(f"on the previous {kind}", self.work, before, "then")
        text += self._details() + "."
        if not self.graded():
            text += " No relatively serious or worse work-safety accident occurred."
        return text + self._apart()

    def _apart(self) -> str:
        if not (apart := self.apart()):
            return ""
        clauses = [
            _count(t.incidents, n.en_counted) + (f" with {_dead_en(t)}" if t.fatalities else "")
            for n, t in apart
        ]
        return f" Counted apart: {_listed(clauses)}."

    def _details(self) -> str:
        parts = []
        if self.industry.incidents:
            industry = _count(
                self.industry.incidents,
                ("industry, mining and trade accident", "industry, mining and trade accidents"),
            )
            if self.industry.fatalities:
                industry += f" with {_dead_en(self.industry)}"
            parts.append(industry)
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

    def indicators(self) -> str:
        sentences = []
        if rates := [_rate_en(now, before) for now, before in self.facts.rates]:
            sentences.append(f"Rates: {'; '.join(rates)}.")
        if targets := [_target_en(target) for target in self.facts.targets]:
            sentences.append(f"Control targets: {'; '.join(targets)}.")
        return " ".join(sentences)

    def natural_disasters(self) -> str:
        if not (present := self.present(Group.NATURAL_DISASTER)):
            return ""
        clauses = [clause for c, t in present for clause in self._disasters(c, t)]
        return f"Natural disasters: {_listed(clauses)}."

    def _disasters(self, category: Category, totals: Totals) -> list[str]:
        """["2 geological hazards with 3 dead or missing", "1 geological threat"]."""
        clauses = []
        dead = f" with {totals.fatalities} dead or missing" if totals.fatalities else ""
        if totals.incidents and category in FIRE_CATEGORIES:
            graded = _listed(
                [
                    _count(
                        n,
                        (
                            f"{grade_term(category, g)[1].lower()}",
                            f"{grade_term(category, g)[1].lower()}s",
                        ),
                    )
                    for g, n in self.fire_grades(category)
                ]
            )
            if totals.damaged_area:
                dead += f" ({number(totals.damaged_area_ha)} ha of {_DAMAGED_EN[category]} damaged)"
            clauses.append(graded + dead)
        elif totals.incidents:
            clauses.append(_count(totals.incidents, self.names[category].en_counted) + dead)
        if totals.threats:
            kind = self.names[category].en.lower()
            clauses.append(_count(totals.threats, (f"{kind} threat", f"{kind} threats")))
        if totals.fire_outbreaks:
            forms = OUTBREAK_NAMES[category].en_counted
            clauses.append(_count(totals.fire_outbreaks, forms) + " below the minimum")
        return clauses

    def by_part(self) -> str:
        if not self.work.incidents or not self.facts.parts:
            return ""
        with_accidents, without = self.part_lines()
        lines = [
            f"{p.en} {t.incidents}" + (f" with {_dead_en(t)}" if t.fatalities else "")
            for p, t in with_accidents
        ]
        text = "By region: " + ", ".join(lines)
        if without:
            text += f"; none in {_listed([p.en for p in without])}"
        return text + "."
