"""How the read API shows one incident."""

from __future__ import annotations

from typing import Any

from safetywatch.accounting import IncidentState
from safetywatch.aggregator._service import Aggregator


def incident_document(aggregator: Aggregator, state: IncidentState) -> dict[str, Any]:
    """Every field of the latest record, what the accounting derived, and the names
    people read (region, category, grade)."""
    document = state.to_json(aggregator.ledger.record_of(state))
    document["region_name"] = aggregator.area.name_of(state.region_code)
    document["category_name"] = aggregator.area.category_names[state.category].zh
    document["grade_name"] = state.grade.zh
    return document
