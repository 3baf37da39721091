"""How the read API shows one incident: its latest record, what the accounting derived,
the names people read and its reporting chain as of now (``events.IncidentDocument``)."""

from __future__ import annotations

from datetime import datetime

from safetywatch.accounting import (
    IncidentState,
    Ledger,
    chain_of,
    grade_term,
    next_follow_up_due,
    supplement_window_closes,
)
from safetywatch.config import AreaConfig
from safetywatch.events import ChainStep, IncidentDocument


def incident_document(
    state: IncidentState, ledger: Ledger, area: AreaConfig, now: datetime
) -> IncidentDocument:
    record = ledger.record_of(state)
    names = area.category_names[state.category]
    # The category's own terms: 较大事故, 中型地质灾害, 较大森林火灾 (灾情), and the threat.
    grade_name, grade_name_en = grade_term(state.category, state.grade)
    current_name, current_name_en = grade_term(state.category, state.current_grade)
    threat = state.threat_grade
    threat_names = grade_term(state.category, threat, threat=True) if threat else (None, None)
    follow_up = next_follow_up_due(state, ledger.chain)
    return IncidentDocument.model_validate(
        {
            **dict(record),
            **state.derived(record),
            "region_name": area.name_of(state.region_code),
            "category_name": names.zh,
            "category_name_en": names.en,
            "grade_name": grade_name,
            "grade_name_en": grade_name_en,
            "current_grade_name": current_name,
            "current_grade_name_en": current_name_en,
            "supplement_window_closes": supplement_window_closes(record, ledger.zone),
            "threat_grade_name": threat_names[0],
            "threat_grade_name_en": threat_names[1],
            "chain": chain_steps(state, ledger, area, now),
            "next_follow_up_due": follow_up,
            "follow_up_overdue": follow_up is not None and now > follow_up,
        }
    )


def chain_steps(
    state: IncidentState, ledger: Ledger, area: AreaConfig, now: datetime
) -> list[ChainStep]:
    """The reporting chain as of now (contract §8): each required level's due time,
    confirmation and status, and who acts for it."""
    steps = []
    for step in chain_of(state, ledger.chain, now):
        office = area.office_of(step.level, state.region_code)
        steps.append(
            ChainStep(
                level=step.level,
                office=office.zh,
                office_en=office.en,
                due_at=step.due_at,
                confirmed_at=step.confirmed_at,
                unit_id=step.unit_id,
                overdue=step.overdue,
                status=step.status,
            )
        )
    return steps
