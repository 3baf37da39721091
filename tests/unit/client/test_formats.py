"""Reading a field office's files: the CSV cells take the types of the report model."""

from __future__ import annotations

import json

import pytest

from safetywatch.client.formats import ReportFileError, parse_reports
from safetywatch.events import IncidentReport
from tests.paths import ROOT

HEADER = "incident_id,revision,category,region_code,occurred_at,deaths,final,business_related"


def test_csv_cells_take_the_report_models_types():
    text = "\n".join(
        [
            HEADER + ",lat,lon,drinking_water_polluted,direct_loss_yuan",
            "520201-A,2,road_traffic,520201,2026-03-01T10:00:00+08:00,3,是,否,26.5,104.8,1,12.5",
        ]
    )
    (report,) = parse_reports(text, "reports.csv")
    assert report == {
        "incident_id": "520201-A",
        "revision": 2,
        "category": "road_traffic",
        "region_code": "520201",
        "occurred_at": "2026-03-01T10:00:00+08:00",
        "deaths": 3,
        "final": True,
        "business_related": False,
        "location": {"lat": 26.5, "lon": 104.8},
        "drinking_water_polluted": True,
        "direct_loss_yuan": 12.5,
    }


def test_a_cell_that_is_not_of_its_type_is_sent_as_written_for_the_gateway_to_name():
    text = HEADER + "\n520201-A,1,coal_mine,520201,2026-03-01T10:00:00+08:00,three,maybe,\n"
    (report,) = parse_reports(text, "reports.csv")
    assert (report["deaths"], report["final"]) == ("three", "maybe")
    assert "business_related" not in report


@pytest.mark.parametrize("category", ["road_traffic", "fire"])
def test_a_road_or_fire_row_must_say_whether_it_was_of_business(category):
    text = "\n".join(
        [
            HEADER,
            f"520201-A,1,{category},520201,2026-03-01T10:00:00+08:00,0,,是",
            f"520201-B,1,{category},520201,2026-03-01T10:00:00+08:00,0,,",
        ]
    )
    with pytest.raises(ReportFileError, match=r"reports.csv: line 3: business_related"):
        parse_reports(text, "reports.csv")


def test_csv_rows_become_reports_with_typed_fields_and_a_location():
    text = (
        "incident_id,revision,category,region_code,occurred_at,deaths,direct_loss_yuan,retracted,"
        "lat,lon,title,business_related\n"
        "520201-C1,1,road_traffic,520201,2022-02-10T08:00:00+08:00,3,1200.5,否,26.59,104.83,追尾,是\n"
        "520201-C2,2,coal_mine,520201,2022-02-10T09:00:00+08:00,,,,,,,\n"
        "520201-C3,x,other,520201,2022-02-10T09:00:00+08:00,two,,maybe,,,,\n"
    )
    first, second, third = parse_reports(text, "reports.csv")
    assert first == {
        "incident_id": "520201-C1",
        "revision": 1,
        "category": "road_traffic",
        "region_code": "520201",
        "occurred_at": "2022-02-10T08:00:00+08:00",
        "deaths": 3,
        "direct_loss_yuan": 1200.5,
        "retracted": False,
        "location": {"lat": 26.59, "lon": 104.83},
        "title": "追尾",
        "business_related": True,
    }
    assert second == {
        "incident_id": "520201-C2",
        "revision": 2,
        "category": "coal_mine",
        "region_code": "520201",
        "occurred_at": "2022-02-10T09:00:00+08:00",
    }
    assert (third["revision"], third["deaths"], third["retracted"]) == (
        "x",
        "two",
        "maybe",
    )  # the gateway names them


def test_json_arrays_objects_and_lines_are_read():
    assert parse_reports('{"a": 1}') == [{"a": 1}]
    assert parse_reports('[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]
    assert parse_reports('{"a": 1}\n\n{"a": 2}\n', "x.jsonl") == [{"a": 1}, {"a": 2}]


def test_the_shipped_examples_are_reports_the_gateway_takes():
    root = ROOT / "examples"
    for name in ("reports.csv", "reports.jsonl"):
        reports = parse_reports((root / name).read_text("utf-8-sig"), name)
        assert reports, name
        for report in reports:
            IncidentReport.model_validate_json(json.dumps(report))
