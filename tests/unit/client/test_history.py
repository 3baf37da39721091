"""Reading a bureau's history: the register export's layout (both heading languages) and
the field client's, every row named when it cannot be a report, texts restored from the
export's neutralising, and the export read back into the same reports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from safetywatch.accounting.periods import Period
from safetywatch.accounting.summary import Summary
from safetywatch.aggregator.api.exports import register_csv, register_xlsx
from safetywatch.client.formats import ReportFileError
from safetywatch.client.history import read_history
from safetywatch.config.area import load_area
from safetywatch.events import REGISTER_COLUMNS

AREA = load_area()
ROW = {
    "incident_id": "520201-H1",
    "revision": 2,
    "category": "road_traffic",
    "region_code": "520201",
    "occurred_at": "2025-03-01T10:00:00+08:00",
    "deaths": 3,
    "non_business": True,
    "title": '=HYPERLINK("http://example.invalid")',
    "month": "2025-03",  # derived columns are left out
    "grade": "relatively_serious",
}


def written(tmp_path: Path, name: str, headings: list[str], rows: list[list[object]]) -> Path:
    path = tmp_path / name
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    return path


def test_the_register_export_reads_back_as_imported_reports(tmp_path: Path):
    path = tmp_path / "register.csv"
    path.write_text(register_csv([ROW]), encoding="utf-8")
    history = read_history(path)
    assert history.problems == []
    ((row, report),) = history.reports
    assert row == 2
    assert report == {
        "incident_id": "520201-H1",
        "revision": 2,
        "category": "road_traffic",
        "region_code": "520201",
        "occurred_at": "2025-03-01T10:00:00+08:00",
        "deaths": 3,
        "business_related": False,  # 非生产经营性 in the register
        "title": ROW["title"],  # the export's apostrophe taken off again
        "origin": "import",
    }
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(
        register_xlsx([ROW], Summary(Period.year(2025), ""), AREA, AREA.category_names)
    )
    assert read_history(workbook).reports == history.reports


@pytest.mark.parametrize("language", ["zh", "en", "field"])
def test_either_heading_language_or_the_field_names_will_do(tmp_path: Path, language: str):
    position = {"zh": 1, "en": 2, "field": 0}[language]
    by_key = {key: (key, zh, en) for key, zh, en in REGISTER_COLUMNS}
    keys = ["incident_id", "revision", "category", "region_code", "occurred_at", "deaths"]
    path = written(
        tmp_path,
        "h.csv",
        [by_key[key][position] for key in keys],
        [["520203-H2", "1", "coal_mine", "520203", "2025-05-01T08:00:00+08:00", "4"]],
    )
    ((_, report),) = read_history(path).reports
    assert (report["incident_id"], report["deaths"]) == ("520203-H2", 4)


def test_each_bad_row_is_named_with_its_column_and_the_rest_go_on(tmp_path: Path):
    path = written(
        tmp_path,
        "bad.csv",
        ["incident_id", "revision", "category", "region_code", "occurred_at", "deaths"],
        [
            ["520201-A", "1", "coal_mine", "520201", "2025-05-01T08:00:00+08:00", "1"],
            ["520201-B", "1", "coal_mine", "520201", "yesterday", "1"],
            ["520201-C", "1", "volcano", "520201", "2025-05-01T08:00:00+08:00", "1"],
            ["", "", "", "", "", ""],
            ["520201-D", "1", "coal_mine", "520201", "2025-05-01T08:00:00+08:00", "-2"],
        ],
    )
    history = read_history(path)
    assert [row for row, _ in history.reports] == [2]
    assert [(p.row, p.column) for p in history.problems] == [
        (3, "occurred_at"),
        (4, "category"),
        (6, "deaths"),
    ]


def test_a_file_that_is_not_a_register_says_so(tmp_path: Path):
    with pytest.raises(ReportFileError, match="row 1: no incident_id column"):
        read_history(written(tmp_path, "x.csv", ["名称", "数量"], [["a", "1"]]))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("事故编号\n520201-A\n".encode("gbk"))
    with pytest.raises(ReportFileError, match="not UTF-8"):
        read_history(gbk)
