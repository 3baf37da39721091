"""PromQL fragments shared by the dashboards. Every aggregator replica exposes the same
numbers, so each read takes max over replicas first ("no double counting")."""

from __future__ import annotations


def deduplicated(metric: str, matchers: str = "") -> str:
    return f"max without (instance, job) ({metric}{{{matchers}}})"


def in_quarter(metric: str, age: int, matchers: str = "") -> str:
    """The metric restricted to the exposed quarter of that age (0 = current)."""
    return f'({deduplicated(metric, matchers)} and on (quarter) safetywatch_quarter_info{{age="{age}"}})'


def summed(metric: str, age: int, by: str = "", matchers: str = "") -> str:
    grouping = f" by ({by})" if by else ""
    total = f"sum{grouping} ({in_quarter(metric, age, matchers)})"
    return zero_filled(total, by) if not by or by in EVERY else total


#: The info series naming every value of a label a count is broken down by.
EVERY = {
    "category": "safetywatch_category_info",
    "grade": "safetywatch_grade_info",
    "quarter": "safetywatch_quarter_info",
    "level": "safetywatch_level_info",
}


def zero_filled(total: str, by: str = "") -> str:
    """A count is exposed only where it is not zero (contract §4): a total with no
    series reads 0, and a breakdown by category, grade, quarter or level shows every value its
    info series names, at 0 where no count has a series."""
    if not by:
        return f"({total}) or vector(0)"
    return f"({total}) or sum by ({by}) (0 * {deduplicated(EVERY[by])})"


def in_period(metric: str, kind: str, relation: str, matchers: str = "") -> str:
    """The metric restricted to an exposed period: kind month, quarter or ytd; relation
    current or last_year (safetywatch_period_info)."""
    info = f'safetywatch_period_info{{kind="{kind}",relation="{relation}"}}'
    return f"({deduplicated(metric, matchers)} and on (period) {info})"


def period_total(metric: str, kind: str, relation: str = "current") -> str:
    return zero_filled(f"sum ({in_period(metric, kind, relation)})")


def year_on_year_percent(metric: str, kind: str) -> str:
    """(this period − the same period last year) / the same period last year, in percent;
    no value where last year was 0 (as the bulletin says nothing then)."""
    now, before = period_total(metric, kind), period_total(metric, kind, "last_year")
    return f"100 * ({now} - {before}) / ({before} > 0)"


#: The info series the aggregator exposes with the names people read (the same names
#: the bulletin uses): joined in, never copied into dashboard code.
INFO = {
    "category": "safetywatch_category_info",
    "grade": "safetywatch_grade_info",
    "region": "safetywatch_region_info",
    "level": "safetywatch_level_info",
}


def named(expr: str, *labels: str) -> str:
    """``expr`` with ``<label>_name`` (in the reader's language: ``$lang`` is ``name`` or
    ``name_en``) and, for categories and grades, ``<label>_order`` (the official order,
    the order of severity) joined from the info series, for each of ``labels``."""
    for label in labels:
        info = f'label_replace({deduplicated(INFO[label])}, "{label}_name", "$1", "$lang", "(.+)")'
        copied = [f"{label}_name"]
        if label in ("category", "grade"):
            info = f'label_replace({info}, "{label}_order", "$1", "order", "(.+)")'
            copied.append(f"{label}_order")
        expr = f"({expr}) * on ({label}) group_left ({', '.join(copied)}) {info}"
    return expr


def grade_in_words(expr: str) -> str:
    """A per-incident alert series carries its grade in the category's own words
    (``grade_name``: 较大事故, 中型地质灾害; ``grade_name_en``): ``grade_shown`` is the
    one in the reader's language."""
    return f'label_replace({expr}, "grade_shown", "$1", "grade_$lang", "(.+)")'
