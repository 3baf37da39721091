"""The register as a table (台账): its columns, declared once for the exports that write
it and the import that reads it back.

The first columns are what a statistics desk reads; then every other field of the report
model, so that an export imported again (``safetywatch import``) gives back the same
incidents, grades and counts.
"""

from __future__ import annotations

from safetywatch.events.report import IncidentReport

#: The report's other fields in the register, by their Chinese name (the English is the
#: field's own name).
_REPORT_FIELD_NAMES = {
    "reported_at": "单位报告时间",
    "figures_as_of": "数字截至",
    "business_related": "生产经营性",
    "trapped": "被困",
    "evacuated": "疏散",
    "people_at_risk": "涉险",
    "drinking_water_polluted": "严重污染",
    "critical_site_endangered": "危及重要场所",
    "burned_area_ha": "过火面积（公顷）",
    "damaged_forest_area_ha": "受害森林面积（公顷）",
    "damaged_grassland_area_ha": "受害草原面积（公顷）",
    "threatened_people": "受威胁人数",
    "potential_loss_yuan": "潜在经济损失（元）",
    "description": "情况说明",
}

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

COLUMNS += tuple(
    (name, _REPORT_FIELD_NAMES[name], name)
    for name in IncidentReport.model_fields
    if name in _REPORT_FIELD_NAMES
)
# Not in the register: retracted (retracted incidents are not listed), origin (imported
# is), location (a map's, not a table's; the field app keeps it).

#: Each column's heading as the exports write it: Chinese, then English.
HEADINGS = [f"{zh} {en}" for _, zh, en in COLUMNS]
