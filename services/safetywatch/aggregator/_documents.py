"""How the read API shows one incident."""

from __future__ import annotations

from typing import Any

from safetywatch.accounting import IncidentState, grade_term
from safetywatch.aggregator._service import Aggregator


def incident_document(aggregator: Aggregator, state: IncidentState) -> dict[str, Any]:
    """Every field of the latest record, what the accounting derived, and the names
    people read (region, category, grade)."""
    document = state.to_json(aggregator.ledger.record_of(state))
    document["region_name"] = aggregator.area.name_of(state.region_code)
    names = aggregator.area.category_names[state.category]
    document["category_name"], document["category_name_en"] = names.zh, names.en
    # The category's own terms: 较大事故, 中型地质灾害, 较大森林火灾 (灾情), and the threat.
    document["grade_name"], document["grade_name_en"] = grade_term(state.category, state.grade)
    threat = state.threat_grade
    terms = grade_term(state.category, threat, threat=True) if threat else (None, None)
    document["threat_grade_name"], document["threat_grade_name_en"] = terms
    return document
