"""The gateway's admission of a report: imported history needs a token that may import."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from safetywatch.config.area import load_area
from safetywatch.events import IncidentRecord, Origin
from safetywatch.ingest.admission import admit, authenticate
from safetywatch.units.registry import TokenRegistry
from safetywatch.units.tokens import Unit, add_token
from safetywatch.web import Refusal
from tests.reports import report

AREA = load_area()
NOW = datetime(2026, 12, 5, 4, tzinfo=UTC)
HISTORY = report("520201-H1", deaths=3, occurred_at="2025-03-01T10:00:00+08:00", origin="import")


def test_history_from_a_token_without_the_permission_is_refused_naming_origin():
    with pytest.raises(Refusal) as refused:
        admit(json.dumps(HISTORY).encode(), Unit("county-520201", ("520201",)), NOW, AREA)
    assert refused.value.status == 403
    assert "origin" in json.dumps(refused.value.body())
    assert "--can-import" in json.dumps(refused.value.body())


def test_history_from_a_token_that_may_import_is_stamped_with_its_origin():
    importer = Unit("county-520201", ("520201",), can_import=True)
    record = admit(json.dumps(HISTORY).encode(), importer, NOW, AREA)
    assert IncidentRecord.model_validate_json(record.to_json_bytes()).origin is Origin.IMPORT
    # Its regions still bound it.
    elsewhere = {**HISTORY, "incident_id": "520203-H2", "region_code": "520203"}
    with pytest.raises(Refusal) as refused:
        admit(json.dumps(elsewhere).encode(), importer, NOW, AREA)
    assert "region_code" in json.dumps(refused.value.body())


def test_an_expired_token_is_refused_saying_so_and_the_audit_names_it(tmp_path):
    tokens = tmp_path / "tokens.json"
    token = add_token(tokens, "zhongshan", ["520201"], expires_in=timedelta(days=1), now=NOW)
    registry = TokenRegistry(tokens, now=lambda: NOW + timedelta(days=2))
    with pytest.raises(Refusal) as refused:
        authenticate(registry, f"Bearer {token}")
    assert refused.value.status == 401
    assert "expired" in json.dumps(refused.value.body())
    assert (
        refused.value.reason == f"token {token.split('_')[1]} expired at 2026-12-06T04:00:00+00:00"
    )
