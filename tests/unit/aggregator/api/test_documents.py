"""The read API's documents are typed on both sides: what the aggregator builds is what the
gateway parses, field for field, and a document of another shape is refused by name."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError

from safetywatch.accounting.ledger import Ledger
from safetywatch.aggregator.api.documents import incident_document
from safetywatch.config.area import load_area
from safetywatch.events.documents import IncidentDocument, RegisterPage, StepStatus
from safetywatch.ingest.aggregator_client import AggregatorClient
from safetywatch.regions.levels import Level
from safetywatch.web.refusals import Refusal
from tests.reports import RECEIVED, record

AREA = load_area()


def built() -> IncidentDocument:
    """A 较大 coal-mine accident, confirmed by the county, as the aggregator shows it."""
    ledger = Ledger(AREA.zone, chain=AREA.reporting.chain_rules())
    ledger.apply(record("520201-D1", category="coal_mine", deaths=3, received_at=RECEIVED))
    state = ledger.incident("520201-D1")
    assert state is not None
    return incident_document(state, ledger, AREA, RECEIVED + timedelta(hours=3))


def test_what_the_aggregator_builds_the_gateway_reads_back_the_same():
    document = built()
    text = json.dumps(document.to_json())
    parsed = IncidentDocument.model_validate_json(text)
    assert parsed.to_json() == document.to_json()
    assert parsed.levels == (Level.COUNTY, Level.CITY, Level.PROVINCE)
    assert parsed.grade_name == "较大事故"
    assert parsed.chain[0].status is StepStatus.OVERDUE
    # Instants the accounting derived are written as isoformat writes them, as before.
    assert document.to_json()["first_received_at"] == RECEIVED.isoformat()


def test_a_page_of_the_register_round_trips():
    page = RegisterPage(incidents=[built()], next_cursor=None)
    parsed = RegisterPage.model_validate_json(page.model_dump_json())
    assert parsed.incidents[0].incident_id == "520201-D1"


def test_a_newer_aggregator_may_add_fields_but_not_drop_them():
    document = built().to_json()
    page = {"incidents": [{**document, "new": 1}], "next_cursor": None}
    RegisterPage.model_validate_json(json.dumps(page))
    del document["chain"]
    with pytest.raises(ValidationError, match="chain"):
        IncidentDocument.model_validate_json(json.dumps(document))


def test_an_answer_that_is_not_a_document_is_a_503_not_a_crash():
    client = AggregatorClient("http://aggregator.invalid", {"Retry-After": "2"})
    answer = httpx.Response(200, json={"incident_id": "520201-D1"})
    with pytest.raises(Refusal) as refused:
        client._parsed(IncidentDocument, answer)
    assert refused.value.status == 503
    assert "not a IncidentDocument" in refused.value.reason
