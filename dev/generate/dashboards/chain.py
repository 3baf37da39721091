"""上报链 / Reporting chain: which levels are late on which incidents, due when, and
how each level has kept its deadlines (及时率) quarter by quarter."""

from __future__ import annotations

from dev.generate.dashboards.model import (
    Dashboard,
    LanguageVariable,
    LinkBaseVariable,
    Panel,
    Query,
)
from dev.generate.dashboards.queries import deduplicated, named
from dev.generate.dashboards.tables import table_panel

OVERDUE = deduplicated("safetywatch_reporting_overdue")
CONFIRMATIONS = deduplicated("safetywatch_confirmations", 'quarter!=""')

STEP_COLUMNS = (
    ("due_at", "截止 due"),
    ("office", "应签收单位 who must act"),
    ("level_name", "层级 level"),
    ("region_name", "地区 region"),
    ("category_name", "类别 category"),
    ("grade_name", "等级 grade"),
    ("Value", "逾期分钟 minutes late"),
    ("incident_id", "事故编号 incident"),
)


def _late(metric: str, only_open: bool) -> str:
    minutes = f"{deduplicated(metric)} / 60"
    if only_open:
        minutes = f"{minutes} and on (incident_id, level) ({OVERDUE} == 1)"
    return named(named(minutes, "level"), "region", "category")


def _timeliness_by_quarter() -> str:
    matchers = 'quarter!="",timeliness="on_time"'
    on_time = f"sum by (quarter, level) ({deduplicated('safetywatch_confirmations', matchers)})"
    every = f"sum by (quarter, level) ({CONFIRMATIONS})"
    # Confirmations are exposed where not zero: a level with only late ones is 0% on time.
    return named(f"100 * ({on_time} or 0 * {every}) / ({every} > 0)", "level")


CHAIN = Dashboard(
    uid="safetywatch-chain",
    title="上报链",
    description="Reporting chain (Decree 493 art. 9–10): steps past their due time, late "
    "follow-up reports, and the on-time rate (及时率) by level and quarter.",
    variables=(LanguageVariable(), LinkBaseVariable()),
    rows=(
        (
            Panel(
                "逾期未报",
                "Steps past their due time and not confirmed now: red from the first one",
                "stat",
                (Query(f"count ({OVERDUE} == 1) or vector(0)"),),
                width=8,
                thresholds=((0, "green"), (1, "red")),
            ),
            Panel(
                "续报逾期",
                "Notable incidents whose follow-up report (续报) is late",
                "stat",
                (
                    Query(
                        f"count ({deduplicated('safetywatch_follow_up_overdue_seconds')}) or vector(0)"
                    ),
                ),
                width=8,
                thresholds=((0, "green"), (1, "orange")),
            ),
            Panel(
                "本季度已签收",
                "Confirmations this quarter, on time and late together",
                "stat",
                (
                    Query(
                        f'sum ({CONFIRMATIONS} and on (quarter) safetywatch_quarter_info{{age="0"}})'
                    ),
                ),
                width=8,
            ),
        ),
        (
            table_panel(
                "逾期步骤",
                "Each step past its due time and not confirmed: who must act, on what, due "
                "when, how many minutes late",
                _late("safetywatch_reporting_overdue_seconds", only_open=True),
                STEP_COLUMNS,
                "Value",
            ),
        ),
        (
            table_panel(
                "续报逾期事故",
                "Notable incidents whose follow-up report is late, and the level that owes it",
                _late("safetywatch_follow_up_overdue_seconds", only_open=False),
                STEP_COLUMNS,
                "Value",
            ),
        ),
        (
            Panel(
                "及时率 分层级分季度",
                "On-time confirmations as a percentage of all confirmations, by level and quarter "
                "(of the quarter's incidents)",
                "bargauge",
                (Query(_timeliness_by_quarter(), "{{quarter}} {{level_name}}"),),
                width=24,
                height=9,
                unit="percent",
                min=0,
                max=100,
                thresholds=((0, "red"), (90, "orange"), (100, "green")),
            ),
        ),
    ),
)
