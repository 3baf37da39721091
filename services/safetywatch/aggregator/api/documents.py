"""How the read API shows one incident."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from safetywatch.accounting import IncidentState, chain_of, grade_term, next_follow_up_due
from safetywatch.aggregator.service import Aggregator


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
    document.update(chain_document(aggregator, state))
    return document


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def chain_document(aggregator: Aggregator, state: IncidentState) -> dict[str, Any]:
    """The reporting chain as of now (contract §8): each required level's due time,
    confirmation and status, who acts for it, and when the next follow-up is due."""
    now, rules, area = aggregator.clock(), aggregator.ledger.chain, aggregator.area
    chain = []
    for step in chain_of(state, rules, now):
        office = area.office_of(step.level, state.region_code)
        chain.append(
            {
                "level": step.level.value,
                "office": office.zh,
                "office_en": office.en,
                "due_at": _instant(step.due_at),
                "confirmed_at": _instant(step.confirmed_at),
                "unit_id": step.unit_id,
                "overdue": step.overdue,
                "status": step.status.value,
            }
        )
    follow_up = next_follow_up_due(state, rules)
    return {
        "chain": chain,
        "next_follow_up_due": _instant(follow_up),
        "follow_up_overdue": follow_up is not None and now > follow_up,
    }
