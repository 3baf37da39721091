"""The bulletin in Chinese, in the official form (contract §7)."""

from __future__ import annotations

from safetywatch.accounting.bulletin.facts import (
    Writer,
    changes,
    injured,
    number,
    period_zh,
    share_percent,
)
from safetywatch.accounting.grade_tables import grade_term
from safetywatch.accounting.indicators import rate_change
from safetywatch.accounting.layout import Totals
from safetywatch.accounting.rates import Rate
from safetywatch.accounting.targets import TargetFigure, TargetProgress
from safetywatch.events import FIRE_CATEGORIES, OUTBREAK_NAMES, Category, Group

_DAMAGED_ZH = {Category.FOREST_FIRE: "受害森林面积", Category.GRASSLAND_FIRE: "受害草原面积"}


class Chinese(Writer):
    def accidents(self) -> str:
        opening = f"{period_zh(self.summary.period)}，{self.place.zh}"
        if self.quiet:
            return f"{opening}未发生生产安全事故和自然灾害。" + self._apart()
        if not self.work.incidents:
            return f"{opening}未发生生产安全事故。" + self._apart()
        text = f"{opening}共发生各类生产安全事故{self.work.incidents}起、{_dead_zh(self.work)}"
        if hurt := injured(self.work):
            text += f"、受伤{hurt}人"
        text += "，" + _compared_zh("同比", self.work, self.work_last_year, "上年同期")
        if (previous := self.facts.previous) is not None:
            before = previous.groups[Group.PRODUCTION_SAFETY]
            text += "；" + _compared_zh("环比", self.work, before, "上期")
        text += self._details() + "。"
        if not self.graded():
            text += f"{self.place.zh}未发生较大及以上生产安全事故。"
        return text + self._apart()

    def _apart(self) -> str:
        if not (apart := self.apart()):
            return ""
        clauses = "，".join(f"{n.zh_counted}{t.incidents}起{_clause_dead_zh(t)}" for n, t in apart)
        return f"另有{clauses}。"

    def _details(self) -> str:
        parts = []
        if self.industry.incidents:
            parts.append(f"工矿商贸事故{self.industry.incidents}起{_clause_dead_zh(self.industry)}")
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

    def indicators(self) -> str:
        clauses = [_rate_zh(now, before) for now, before in self.facts.rates]
        clauses += [_target_zh(target) for target in self.facts.targets]
        return f"{'；'.join(clauses)}。" if clauses else ""

    def natural_disasters(self) -> str:
        if not (present := self.present(Group.NATURAL_DISASTER)):
            return ""
        return f"自然灾害方面，发生{'，'.join(self._disaster(c, t) for c, t in present)}。"

    def _disaster(self, category: Category, totals: Totals) -> str:
        """地质灾害灾情2起、死亡和失踪3人，险情1处; 较大森林火灾1起，受害森林面积12.5公顷."""
        name = self.names[category].zh_counted
        dead = f"、死亡和失踪{totals.fatalities}人" if totals.fatalities else ""
        parts = []
        if totals.incidents and category in FIRE_CATEGORIES:
            graded = "、".join(
                f"{grade_term(category, g)[0]}{n}起" for g, n in self.fire_grades(category)
            )
            parts.append(graded + dead)
            if totals.damaged_area:
                parts.append(f"{_DAMAGED_ZH[category]}{number(totals.damaged_area_ha)}公顷")
        elif totals.incidents:
            parts.append(f"{name}{'灾情' if totals.threats else ''}{totals.incidents}起{dead}")
        if totals.threats:
            parts.append(f"{'' if totals.incidents else name}险情{totals.threats}处")
        if totals.fire_outbreaks:
            parts.append(f"{OUTBREAK_NAMES[category].zh_counted}{totals.fire_outbreaks}起")
        return "，".join(parts)

    def by_part(self) -> str:
        if not self.work.incidents or not self.facts.parts:
            return ""
        with_accidents, without = self.part_lines()
        lines = [f"{p.zh}{t.incidents}起{_clause_dead_zh(t)}" for p, t in with_accidents]
        text = "分地区看，" + "，".join(lines)
        if without:
            text += f"；{'、'.join(p.zh for p in without)}未发生生产安全事故"
        return text + "。"


def _dead_zh(totals: Totals) -> str:
    missing = f"（含下落不明{totals.fatalities_missing}人）" if totals.fatalities_missing else ""
    return f"死亡{totals.fatalities}人{missing}"


def _clause_dead_zh(totals: Totals) -> str:
    """A category's clause says the dead only when there are any."""
    return f"、{_dead_zh(totals)}" if totals.fatalities else ""


def _percent_zh(change: float) -> str:
    if change > 0:
        return f"上升{change:.1f}%"
    if change < 0:
        return f"下降{-change:.1f}%"
    return "持平"


def _compared_zh(label: str, now: Totals, before: Totals, earlier: str) -> str:
    """同比减少1起、2人，分别下降12.5%、20.0%; 同比增加3起、2人（上年同期为0）."""
    incidents, fatalities = changes(now, before)
    verbs = [
        ("增加" if c.delta > 0 else "减少") if c.delta else "" for c in (incidents, fatalities)
    ]
    if not incidents.delta and not fatalities.delta:
        return f"{label}持平"
    if verbs[0] == verbs[1]:
        amounts = f"{verbs[0]}{abs(incidents.delta)}起、{abs(fatalities.delta)}人"
    else:
        amounts = "、".join(
            [
                f"{verbs[0]}{abs(incidents.delta)}起" if incidents.delta else "起数持平",
                f"{verbs[1]}{abs(fatalities.delta)}人" if fatalities.delta else "死亡人数持平",
            ]
        )
    text = label + amounts
    named = (("起数", incidents), ("死亡人数", fatalities))
    percents = [(n, c.percent) for n, c in named if c.delta and c.percent is not None]
    if len(percents) == 2:
        first, second = (_percent_zh(p) for _, p in percents if p is not None)
        if first[:2] == second[:2]:
            second = second[2:]  # 分别下降12.5%、20.0%
        text += f"，分别{first}、{second}"
    elif percents:
        name, percent = percents[0]
        assert percent is not None
        text += f"，{name}{_percent_zh(percent)}"
    zero = [n for n, c in named if c.delta and c.before == 0]
    if len(zero) == 2:
        text += f"（{earlier}为0）"
    elif zero:
        text += f"（{earlier}{'0起' if zero[0] == '起数' else '死亡0人'}）"
    return text


def _rate_zh(now: Rate, before: Rate) -> str:
    """亿元地区生产总值生产安全事故死亡率0.012，同比下降14.3%（上年同期0.014）."""
    text = f"{now.indicator.zh}{now.rounded():.3f}"
    if before.value is None:
        return text
    earlier = before.rounded()
    change = rate_change(now, before)
    if change is None:
        return text + "（上年同期为0）"
    return text + f"，同比{_percent_zh(change)}（上年同期{earlier:.3f}）"


def _target_zh(target: TargetProgress) -> str:
    """死亡人数为年度控制指标80人的10.0%，低于时间进度81.7个百分点，比控制进度少死亡65.3人."""
    unit = "人" if target.figure is TargetFigure.DEATHS else "起"
    subject = (
        "生产安全事故死亡人数"
        if target.figure is TargetFigure.DEATHS
        else f"较大及以上生产安全事故{target.value}起，"
    )
    if target.share is None:
        within = "已超过" if target.value else "未超过"
        return f"{subject}{within}年度控制指标（0{unit}）"
    text = f"{subject}为年度控制指标{target.target}{unit}的{share_percent(target)}%"
    points = target.points_over
    assert points is not None
    if points > 0:
        text += f"，高于时间进度{points:.1f}个百分点"
    elif points < 0:
        text += f"，低于时间进度{-points:.1f}个百分点"
    else:
        text += "，与时间进度持平"
    if target.figure is TargetFigure.DEATHS:
        # 比控制进度少死亡N人: said of deaths; a fraction of an accident reads as nonsense.
        difference = target.to_json()["above_progress_by"]
        if difference > 0:
            text += f"，比控制进度多死亡{number(difference)}人"
        elif difference < 0:
            text += f"，比控制进度少死亡{number(-difference)}人"
    return text
