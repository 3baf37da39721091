"""The report model refuses every kind of bad input and names the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from dev.generate.schemas import schema_documents
from safetywatch.events.fast_path import decode_fast
from safetywatch.events.report import IncidentRecord, IncidentReport, ReportContext
from tests.reports import report

NOW = datetime(2022, 2, 11, 0, 0, tzinfo=UTC)
CONTEXT = ReportContext(received_at=NOW, configured_regions={"520201", "520203"})


def errors_for(document: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        IncidentReport.model_validate_json(json.dumps(document), context=CONTEXT)
    return {".".join(map(str, e["loc"])): e["type"] for e in caught.value.errors()}


def test_a_minimal_report_is_valid_with_defaults():
    parsed = IncidentReport.model_validate_json(json.dumps(report()), context=CONTEXT)
    assert parsed.deaths == 0
    assert parsed.retracted is False
    assert parsed.direct_loss_yuan == 0


@pytest.mark.parametrize(
    ("change", "field", "error_type"),
    [
        ({"incident_id": "52020-X"}, "incident_id", "string_pattern_mismatch"),
        ({"incident_id": "520201-" + "x" * 59}, "incident_id", "string_pattern_mismatch"),
        ({"incident_id": "520201-_x"}, "incident_id", "string_pattern_mismatch"),
        ({"revision": 0}, "revision", "greater_than_equal"),
        ({"revision": True}, "revision", "int_type"),
        ({"category": "chemical"}, "category", "enum"),
        ({"region_code": "520203"}, "region_code", "value_error"),
        ({"occurred_at": "2022-02-10T19:30:00"}, "occurred_at", "value_error"),
        ({"occurred_at": "2022-02-11T00:05:01Z"}, "occurred_at", "value_error"),
        ({"reported_at": "2022-02-10 19:30"}, "reported_at", "value_error"),
        ({"figures_as_of": "2022-02-10"}, "figures_as_of", "value_error"),
        ({"figures_as_of": "2022-02-10T19:29:59+08:00"}, "figures_as_of", "value_error"),
        ({"figures_as_of": "2022-02-11T00:05:01Z"}, "figures_as_of", "value_error"),
        ({"deaths": -1}, "deaths", "greater_than_equal"),
        ({"missing": 100_001}, "missing", "less_than_equal"),
        ({"serious_injuries": "3"}, "serious_injuries", "int_type"),
        ({"minor_injuries": 1.5}, "minor_injuries", "int_type"),
        ({"evacuated": 10_000_001}, "evacuated", "less_than_equal"),
        ({"direct_loss_yuan": -0.01}, "direct_loss_yuan", "greater_than_equal"),
        ({"direct_loss_yuan": 1e13 + 1}, "direct_loss_yuan", "less_than_equal"),
        ({"burned_area_ha": 2.0}, "burned_area_ha", "value_error"),
        ({"category": "coal_mine", "business_related": False}, "business_related", "value_error"),
        ({"category": "coal_mine", "business_related": True}, "business_related", "value_error"),
        ({"business_related": "no"}, "business_related", "bool_type"),
        ({"people_at_risk": -1}, "people_at_risk", "greater_than_equal"),
        ({"drinking_water_polluted": 1}, "drinking_water_polluted", "bool_type"),
        ({"location": {"lat": 91, "lon": 0}}, "location.lat", "less_than_equal"),
        ({"location": {"lat": 0, "lon": 0, "alt": 3}}, "location.alt", "extra_forbidden"),
        ({"title": "x" * 201}, "title", "string_too_long"),
        ({"description": "x" * 4001}, "description", "string_too_long"),
        ({"grade": "ordinary"}, "grade", "extra_forbidden"),
        ({"received_at": "2022-02-10T19:30:00Z"}, "received_at", "extra_forbidden"),
        ({"unit_id": "me"}, "unit_id", "extra_forbidden"),
    ],
)
def test_bad_field_is_named(change, field, error_type):
    assert errors_for(report(**change)).get(field) == error_type


def test_an_unconfigured_region_is_refused():
    document = report("520204-X", region_code="520204")
    assert errors_for(document) == {"region_code": "value_error"}


def test_every_missing_required_field_is_named_at_once():
    assert errors_for({}) == {
        "incident_id": "missing",
        "revision": "missing",
        "category": "missing",
        "region_code": "missing",
        "occurred_at": "missing",
    }


def test_many_problems_are_reported_together():
    problems = errors_for(report(deaths=-1, revision=0, surplus=1))
    assert set(problems) == {"deaths", "revision", "surplus"}


def test_five_minutes_of_clock_skew_are_tolerated():
    document = report(occurred_at="2022-02-11T00:05:00Z")
    assert IncidentReport.model_validate_json(json.dumps(document), context=CONTEXT)


def test_burned_area_is_accepted_for_forest_fires():
    document = report(category="forest_fire", burned_area_ha=12.5)
    assert IncidentReport.model_validate_json(json.dumps(document), context=CONTEXT)


def test_a_stamped_record_round_trips_through_json():
    parsed = IncidentReport.model_validate_json(json.dumps(report(deaths=2)), context=CONTEXT)
    stamped = IncidentRecord.stamp(parsed, received_at=NOW, unit_id="county-1")
    again = IncidentRecord.model_validate_json(stamped.to_json_bytes())
    assert again == stamped
    assert again.received_at == NOW
    assert again.unit_id == "county-1"


def test_a_record_that_occurred_after_its_receipt_is_invalid():
    document = {
        **report(occurred_at="2022-02-11T01:00:00Z"),
        "received_at": NOW.isoformat(),
        "unit_id": "u",
    }
    with pytest.raises(ValidationError, match="future"):
        IncidentRecord.model_validate_json(json.dumps(document))


def test_a_report_stamped_after_its_receipt_is_refused_at_the_gateway():
    # Three days ahead of the receipt (NOW): refused naming the field.
    document = report(reported_at="2022-02-13T23:00:00+08:00")
    with pytest.raises(ValidationError, match=r"reported_at .* lies in the future"):
        IncidentReport.model_validate_json(json.dumps(document), context=CONTEXT)
    # Within the clock-skew allowance it is taken; a record already in the log with a
    # later one still applies (the replay disregards an implausible reported_at).
    document = report(reported_at=(NOW + timedelta(minutes=1)).isoformat())
    IncidentReport.model_validate_json(json.dumps(document), context=CONTEXT)
    stored = {
        **report(reported_at="2022-02-13T23:00:00+08:00"),
        "received_at": NOW.isoformat(),
        "unit_id": "u",
    }
    IncidentRecord.model_validate_json(json.dumps(stored))
    assert decode_fast(json.dumps(stored).encode()) is not None


def test_figures_may_be_true_from_the_occurrence_to_the_receipt():
    for moment in ("2022-02-10T19:30:00+08:00", "2022-02-11T00:05:00Z"):
        document = report(figures_as_of=moment)
        parsed = IncidentReport.model_validate_json(json.dumps(document), context=CONTEXT)
        assert parsed.figures_as_of == datetime.fromisoformat(moment)


def test_a_record_whose_figures_postdate_its_receipt_is_invalid_on_both_paths():
    document = {
        **report(figures_as_of="2022-02-11T01:00:00Z"),
        "received_at": NOW.isoformat(),
        "unit_id": "u",
    }
    with pytest.raises(ValidationError, match=r"figures_as_of .* lies in the future"):
        IncidentRecord.model_validate_json(json.dumps(document))
    assert decode_fast(json.dumps(document).encode()) is None
    document["figures_as_of"] = "2022-02-10T23:00:00Z"
    fast = decode_fast(json.dumps(document).encode())
    assert fast is not None
    assert fast.figures_as_of == datetime(2022, 2, 10, 23, 0, tzinfo=UTC)


def test_the_report_schema_forbids_unknown_fields_and_gateway_stamps():
    schema = json.loads(schema_documents()["incident-report.v1.schema.json"])
    assert schema["additionalProperties"] is False
    assert "received_at" not in schema["properties"]
    assert "unit_id" not in schema["properties"]
