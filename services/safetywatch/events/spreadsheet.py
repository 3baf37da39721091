"""Text in a spreadsheet cell: never a formula (CWE-1236).

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel, LibreOffice and WPS, so a report titled
``=HYPERLINK("http://…","点击查看")`` would become a live link in the statistics desk's
workbook. Such text is written with a leading apostrophe (OWASP's CSV injection advice:
the apostrophe makes the cell text), and an import takes exactly that apostrophe off again.
"""

from __future__ import annotations

#: The characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _quoted(text: str) -> bool:
    """Text that gets an apostrophe: a formula's start, or apostrophes before one (so that
    taking one off again gives back exactly what the unit wrote)."""
    return text.startswith(FORMULA_STARTS) or (
        text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS)
    )


def neutralised(value: object) -> object:
    """``value`` as a cell shows it: text that would start a formula gets an apostrophe;
    numbers, booleans and other text are left as they are."""
    if isinstance(value, str) and _quoted(value):
        return "'" + value
    return value


def restored(text: str) -> str:
    """The text a ``neutralised`` cell held (for reading an export back in)."""
    return text[1:] if text.startswith("'") and _quoted(text[1:]) else text
