"""Incidents over HTTP: one incident as the read API shows it, and the register (台账) as
JSON pages, or CSV and Excel exports of every row the filter admits (contract §5, §7)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from safetywatch.accounting import (
    ALL_TIME,
    BadCursor,
    IncidentState,
    Period,
    RegisterFilter,
    Summary,
    Totals,
    matching,
    page,
)
from safetywatch.aggregator.api.dependencies import ReadyDep, RegionDep
from safetywatch.aggregator.api.documents import incident_document
from safetywatch.aggregator.api.exports import register_csv, register_xlsx
from safetywatch.aggregator.service import Aggregator
from safetywatch.events import Category, Grade, Group, RegisterPage
from safetywatch.web import Refusal, invalid

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def register_filter(
    region: RegionDep,
    period: str | None = None,
    category: str | None = None,
    group: str | None = None,
    min_grade: str = "ordinary",
) -> RegisterFilter:
    """The filter a query names; 422 naming the parameter that is not a value of its kind."""
    try:
        chosen = Period.parse(period) if period is not None else None
    except ValueError as error:
        raise invalid("period", str(error)) from None
    categories: frozenset[Category] = frozenset()
    if category:
        try:
            categories = frozenset(Category(c) for c in category.split(","))
        except ValueError:
            raise invalid(
                "category", f"{category!r}: one or more of {', '.join(Category)}"
            ) from None
    try:
        chosen_group = Group(group) if group else None
    except ValueError:
        raise invalid("group", f"{group!r} is not one of {', '.join(Group)}") from None
    try:
        grade = Grade(min_grade)
    except ValueError:
        raise invalid("min_grade", f"{min_grade!r} is not one of {', '.join(Grade)}") from None
    return RegisterFilter(chosen, region, categories, chosen_group, grade)


FilterDep = Annotated[RegisterFilter, Depends(register_filter)]


@router.get("/v1/incidents/{incident_id}")
async def incident(aggregator: ReadyDep, incident_id: str) -> JSONResponse:
    state = aggregator.ledger.incident(incident_id)
    if state is None:
        raise Refusal(404, f"unknown incident {incident_id}")
    return JSONResponse(
        incident_document(state, aggregator.ledger, aggregator.area, aggregator.clock()).to_json()
    )


@router.get("/v1/incidents")
async def incidents(
    aggregator: ReadyDep,
    where: FilterDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Response:
    states = matching(aggregator.ledger, where, aggregator.area.zone)
    if format != "json":
        return _export(aggregator, where, states, format)
    try:
        chosen, next_cursor = page(states, limit, cursor)
    except BadCursor as error:
        raise invalid("cursor", str(error)) from None
    rows = [
        incident_document(state, aggregator.ledger, aggregator.area, aggregator.clock())
        for state in chosen
    ]
    return JSONResponse(
        RegisterPage(incidents=rows, next_cursor=next_cursor).model_dump(mode="json")
    )


def _export(
    aggregator: Aggregator, where: RegisterFilter, states: list[IncidentState], kind: str
) -> Response:
    rows = [
        incident_document(state, aggregator.ledger, aggregator.area, aggregator.clock()).to_json()
        for state in states
    ]
    name = f"safetywatch-register-{where.period.label if where.period else 'all'}"
    if kind == "csv":
        return Response(
            register_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    # The totals sheet counts exactly the rows of the register sheet.
    totals = Summary(where.period or ALL_TIME, where.region_prefix)
    for region in aggregator.area.region_codes:
        if region.startswith(where.region_prefix):
            totals.by_region.setdefault(region, Totals())
    for state in states:
        totals.count_incident(state)
    workbook = register_xlsx(rows, totals, aggregator.area, aggregator.area.category_names)
    return Response(
        workbook,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
