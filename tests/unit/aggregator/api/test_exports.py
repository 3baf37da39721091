"""The register's exports carry a unit's text as text, never as a formula (CWE-1236)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from safetywatch.accounting.periods import Period
from safetywatch.accounting.summary import Summary
from safetywatch.aggregator.api.exports import register_csv, register_xlsx
from safetywatch.config.area import load_area
from safetywatch.events import REGISTER_COLUMNS as COLUMNS
from safetywatch.events.spreadsheet import FORMULA_STARTS, neutralised, restored

AREA = load_area()
TITLES = [f'{start}HYPERLINK("http://example.invalid","点击查看")' for start in FORMULA_STARTS]


def rows() -> list[dict[str, object]]:
    return [
        {"incident_id": f"520201-X{n}", "title": title, "deaths": -1 if n == 0 else n}
        for n, title in enumerate(TITLES)
    ]


@pytest.mark.parametrize("text", [*TITLES, "'=already quoted", "普通标题", "", "'plain"])
def test_neutralising_is_reversed_exactly(text: str):
    assert restored(str(neutralised(text))) == text


def test_the_csv_holds_every_title_as_text():
    lines = list(csv.reader(io.StringIO(register_csv(rows()).lstrip("\ufeff"))))
    column = [key for key, _, _ in COLUMNS].index("title")
    titles = [line[column] for line in lines[1:]]
    assert titles == ["'" + title for title in TITLES]
    assert [restored(title) for title in titles] == TITLES


def test_the_workbook_has_no_formula_cell_and_numbers_stay_numbers():
    summary = Summary(Period.year(2026), "")
    workbook = load_workbook(io.BytesIO(register_xlsx(rows(), summary, AREA, AREA.category_names)))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    register = workbook.worksheets[0]
    column = [key for key, _, _ in COLUMNS].index("deaths") + 1
    assert register.cell(row=2, column=column).value == -1


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", "中", " "])))
def test_every_text_comes_back_and_none_starts_a_formula(text: str):
    cell = neutralised(text)
    assert isinstance(cell, str)
    assert not cell.startswith(FORMULA_STARTS)
    assert restored(cell) == text
