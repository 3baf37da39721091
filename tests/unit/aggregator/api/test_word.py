"""The bulletin as a Word document: A4, the heading, the paragraphs in both languages and
the figures table, read back with the library that wrote it."""

from __future__ import annotations

import io

from docx import Document

from safetywatch.accounting.bulletin import Language, bulletin_facts, bulletin_paragraphs
from safetywatch.aggregator.api.word import TABLE_HEADINGS, bulletin_docx
from tests.unit.accounting.test_bulletin import (
    CITY,
    COUNTIES,
    THREE_QUARTERS,
    indicators,
    scenario,
)


def test_the_document_reads_back_as_the_bulletin():
    facts = bulletin_facts(
        scenario(), THREE_QUARTERS, "", CITY, indicators=indicators(), parts=COUNTIES
    )
    document = Document(io.BytesIO(bulletin_docx(facts)))
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    assert width is not None
    assert height is not None
    assert (round(width.mm), round(height.mm)) == (210, 297)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "全市2026年1—9月安全生产和自然灾害情况通报"
    style = document.paragraphs[0].style
    assert style is not None
    assert style.name == "Heading 1"
    chinese = bulletin_paragraphs(facts, Language.ZH)
    english = bulletin_paragraphs(facts, Language.EN)
    assert texts[1 : 1 + len(chinese)] == chinese
    assert texts[-len(english) :] == english
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == list(TABLE_HEADINGS)
    # Coal 1 (3 dead) this year, none last year; road 5 (5 dead) against 8 (10 dead).
    assert rows[1] == ["煤矿事故 Coal mine", "1", "3", "0", "0", "0", "—", "—"]
    assert ["道路运输事故 Road transport", "5", "5", "0", "8", "10", "-37.5%", "-50.0%"] in rows
    assert rows[-1] == ["合计 Total", "7", "8", "1", "8", "10", "-12.5%", "-20.0%"]
