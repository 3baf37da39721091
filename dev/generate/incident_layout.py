"""The incident's layouts, generated from its one declaration (``accounting/fields.py``):
the Python module the ledger reads its fields, figures, totals and rows from, and the C
header of the compiled table. Each is committed, with the drift check of every other
generated file."""

from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
from collections.abc import Iterator, Sequence

from safetywatch.accounting import CELL_KEY, COUNTS_NOWHERE, FIELDS, FIGURES, Field, Figure, Kind

PYTHON_PATH = "services/safetywatch/accounting/layout.py"
HEADER_PATH = "services/safetywatch/native/layout.h"
#: The project's line length: what is generated reads like what is written.
LINE_LENGTH = 100

#: How each kind is packed (struct codes, little-endian, no padding).
_CODES = {
    Kind.INT32: "i",
    Kind.INT64: "q",
    Kind.CATEGORY: "B",
    Kind.GRADE: "B",
    Kind.REGION: "i",
    Kind.MOMENT: "qH",
    Kind.OPTIONAL_MOMENT: "qH",
}
#: Grades above ordinary: one moment each in a GRADE_MOMENTS part.
GRADES_ABOVE_ORDINARY = 3
_TYPES = {
    Kind.INT32: "int",
    Kind.INT64: "int",
    Kind.FLAG: "bool",
    Kind.CATEGORY: "Category",
    Kind.GRADE: "Grade",
    Kind.REGION: "str",
    Kind.MOMENT: "datetime",
    Kind.OPTIONAL_MOMENT: "datetime | None",
    Kind.GRADE_MOMENTS: "Mapping[Grade, datetime]",
}


def _code(kind: Kind) -> str:
    if kind is Kind.GRADE_MOMENTS:
        return "qH" * GRADES_ABOVE_ORDINARY
    return _CODES[kind]


class Row:
    """Where each part of an incident lies in its row: a flags byte, then the fields
    that are not flags, then the figures that are not flags."""

    def __init__(self, fields: Sequence[Field], figures: Sequence[Figure]) -> None:
        self.fields, self.figures = fields, figures
        self.parts: tuple[Field | Figure, ...] = (*fields, *figures)
        flagged = [p.name for p in self.parts if p.kind is Kind.FLAG]
        if len(flagged) > 8:
            raise ValueError(f"at most 8 flags fit the row's flags byte: {flagged}")
        if sum(p.kind is Kind.GRADE_MOMENTS for p in self.parts) > 1:
            raise ValueError("one part of kind GRADE_MOMENTS at most")
        self.bits = {name: 1 << n for n, name in enumerate(flagged)}
        self.format = "<B" + "".join(_code(p.kind) for p in self.parts if p.kind is not Kind.FLAG)
        self.size = struct.calcsize(self.format)
        self.offsets: dict[str, int] = {}
        offset = 1
        for part in self.parts:
            if part.kind is not Kind.FLAG:
                self.offsets[part.name] = offset
                offset += struct.calcsize("<" + _code(part.kind))

    @property
    def layout(self) -> str:
        """A name for this layout: rows, checkpoints and compiled tables carry it."""
        described = [self.format] + [f"{p.name}:{p.kind}" for p in self.parts]
        return hashlib.sha256("\n".join(described).encode()).hexdigest()[:16]


def _constant(name: str) -> str:
    return name.upper()


def _text(value: str) -> str:
    """A string literal as the formatter writes it."""
    return json.dumps(value, ensure_ascii=False)


def _width(text: str) -> int:
    """The width the formatter measures: a wide (CJK) character counts two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrapped(indent: str, head: str, items: Sequence[str], tail: str) -> Iterator[str]:
    """``head`` + the items + ``tail`` on one line, or one item a line as the formatter
    writes it when that is wider than the line length."""
    line = f"{indent}{head}{', '.join(items)}{tail}"
    if _width(line) <= LINE_LENGTH:
        yield line
        return
    yield f"{indent}{head}"
    for item in items:
        yield f"{indent}    {item},"
    yield f"{indent}{tail}"


def _python_lines(row: Row) -> Iterator[str]:
    fields, figures = row.fields, row.figures
    yield '"""An incident as the ledger keeps it: generated from ``accounting/fields.py`` by'
    yield "``python -m dev.generate``. Do not edit; change the declaration and generate again."
    yield '"""'
    yield ""
    yield "from __future__ import annotations"
    yield ""
    yield "import struct"
    yield "from collections.abc import Mapping"
    yield "from dataclasses import dataclass"
    yield "from datetime import datetime"
    yield "from typing import Any, Protocol, TypeVar"
    yield ""
    yield "import msgspec"
    yield ""
    yield "from safetywatch.accounting.rare import COMMON, Rare"
    yield "from safetywatch.events import Category, Grade"
    yield ""
    yield "#: The name of this layout: checkpoints and the compiled table carry it."
    yield f'LAYOUT = "{row.layout}"'
    yield ""
    yield from _figure_lines(figures)
    yield "class IncidentFields(msgspec.Struct, gc=False, eq=False):"
    yield '    """What the ledger keeps of an incident (``IncidentState`` adds what it derives).'
    yield "    A msgspec struct: a revision makes one, and a compiled class builds it in a"
    yield '    fraction of a dataclass\'s time; never in a reference cycle, so not tracked by gc."""'
    yield ""
    yield "    incident_id: str"
    for field in fields:
        yield f"    #: {field.meaning}"
        yield f"    {field.name}: {_TYPES[field.kind]}"
    yield "    figures: Figures"
    yield "    #: what few incidents have (``rare.py``); most share ``COMMON``"
    yield "    rare: Rare = COMMON"
    yield ""
    yield ""
    yield '_Fields = TypeVar("_Fields", bound=IncidentFields)'
    yield ""
    yield ""
    params = ["kind: type[_Fields]", "*", "incident_id: str"]
    params += [f"{f.name}: {_TYPES[f.kind]}" for f in fields]
    params += ["figures: Figures", "rare: Rare = COMMON"]
    yield from _wrapped("", "def incident_of(", params, ") -> _Fields:")
    yield '    """An incident of ``kind`` (``IncidentState``), each field by its name. A function:'
    yield "    a compiled caller passes its keywords in place, where a class, or a class's"
    yield '    method, receives them in a dict (the replay makes one state a record)."""'
    args = ["incident_id", *(f.name for f in fields), "figures", "rare"]
    yield from _wrapped("    ", "return kind(", args, ")")
    yield ""
    yield ""
    yield from _totals_lines(figures)
    yield ""
    yield ""
    yield from _row_lines(row)


def _figure_lines(figures: Sequence[Figure]) -> Iterator[str]:
    names = [f.name for f in figures]
    yield "#: An incident's figures, in the order of ``fields.FIGURES``."
    yield f"Figures = tuple[{', '.join('int' for _ in figures)}]"
    yield f"FIGURE_COUNT = {len(figures)}"
    for index, figure in enumerate(figures):
        yield f"{_constant(figure.name)} = {index}"
    yield ""
    yield "#: The totals' figures the read API and the metrics show, in order: (name, help)."
    yield "PUBLIC_FIGURES: tuple[tuple[str, str], ...] = ("
    for figure in figures:
        if figure.public is not None:
            yield from _wrapped("    ", "(", [_text(figure.public), _text(figure.help)], "),")
    yield ")"
    yield "#: The figures of ``Totals.to_json``, in order."
    yield "FIGURE_NAMES = ("
    for figure in figures:
        if figure.public is not None:
            yield f"    {_text(figure.public)},"
    yield ")"
    yield ""
    yield ""
    yield from _wrapped("", "def figures(", ["*", *(f"{n}: int" for n in names)], ") -> Figures:")
    yield '    """An incident\'s figures, each by its name."""'
    yield from _wrapped("    ", "return (", names, ")")
    yield ""
    yield ""


def _totals_lines(figures: Sequence[Figure]) -> Iterator[str]:
    counted = ["records", *(f.name for f in figures)]
    yield "@dataclass(slots=True)"
    yield "class Totals:"
    yield '    """The sum of each figure over some incidents; ``records``, how many incidents'
    yield "    were summed (a 险情 is one, and not among the ``incidents``): a cell with none is"
    yield '    empty."""'
    yield ""
    for name in counted:
        yield f"    {name}: int = 0"
    yield ""
    yield "    def add(self, other: Totals, sign: int = 1) -> None:"
    for name in counted:
        yield f"        self.{name} += sign * other.{name}"
    yield ""
    yield "    def count(self, figures: Figures, sign: int = 1) -> None:"
    yield '        """Add (+1) or withdraw (-1) one incident."""'
    yield "        self.records += sign"
    for figure in figures:
        yield f"        self.{figure.name} += sign * figures[{_constant(figure.name)}]"
    yield ""
    yield "    def counts(self) -> tuple[int, ...]:"
    yield from _wrapped("        ", "return (", [f"self.{n}" for n in counted], ")")
    yield ""
    yield "    def is_zero(self) -> bool:"
    yield "        return not any(self.counts())"
    for figure in figures:
        if figure.public is not None and figure.public != figure.name:
            yield ""
            yield "    @property"
            yield f"    def {figure.public}(self) -> float:"
            yield f"        return self.{figure.name} / {figure.scale}"
    yield ""
    yield "    def to_json(self) -> dict[str, Any]:"
    yield '        """The contract\'s ``T`` object (§5)."""'
    yield "        return {"
    for figure in figures:
        if figure.public is not None:
            yield f'            "{figure.public}": self.{figure.public},'
    yield "        }"


def _row_lines(row: Row) -> Iterator[str]:
    fields, figures = row.fields, row.figures
    yield "class RowCodes(Protocol):"
    yield '    """What a row\'s indexes and moments mean: the table that keeps the rows."""'
    yield ""
    yield "    categories: tuple[Category, ...]"
    yield "    grades: tuple[Grade, ...]"
    yield "    category_index: Mapping[Category, int]"
    yield "    grade_index: Mapping[Grade, int]"
    yield "    regions: list[str]"
    yield ""
    yield "    def region(self, code: str) -> int: ..."
    yield "    def moment(self, moment: datetime | None) -> tuple[int, int]: ..."
    yield "    def moment_of(self, at: int, offset: int) -> Any: ..."
    yield "    def grade_moments(self, since: Mapping[Grade, datetime]) -> tuple[int, ...]: ..."
    yield "    def grade_since(self, moments: list[int]) -> Mapping[Grade, datetime]: ..."
    yield ""
    yield ""
    yield "#: An incident's row: a flags byte, the fields, the figures (little-endian, unpadded);"
    yield "#: ``native/layout.h`` is the same row for the compiled table."
    yield f'ROW = struct.Struct("{row.format}")'
    for name, bit in row.bits.items():
        yield f"{_constant(name)}_BIT = {bit}"
    yield ""
    yield ""
    yield "def row_values(state: IncidentFields, codes: RowCodes) -> tuple[Any, ...]:"
    yield '    """The values ``ROW`` packs for ``state``."""'
    yield "    figures = state.figures"
    yield "    flags = 0"
    for field in fields:
        if field.kind is Kind.FLAG:
            yield f"    if state.{field.name}:"
            yield f"        flags |= {_constant(field.name)}_BIT"
    for figure in figures:
        if figure.kind is Kind.FLAG:
            yield f"    if figures[{_constant(figure.name)}]:"
            yield f"        flags |= {_constant(figure.name)}_BIT"
    yield "    return ("
    yield "        flags,"
    for field in fields:
        if field.kind is not Kind.FLAG:
            yield f"        {_pack(field)},"
    for figure in figures:
        if figure.kind is not Kind.FLAG:
            yield f"        figures[{_constant(figure.name)}],"
    yield "    )"
    yield ""
    yield ""
    yield from _state_parts_lines(row)


def _state_parts_lines(row: Row) -> Iterator[str]:
    fields, figures = row.fields, row.figures
    types = [_TYPES[f.kind] for f in fields]
    yield "#: The fields and figures of ``IncidentFields`` after its id, before ``rare``."
    yield from _wrapped("", "StateParts = tuple[", [*types, "Figures"], "]")
    yield ""
    yield ""
    yield "def state_parts(values: tuple[Any, ...], codes: RowCodes) -> StateParts:"
    yield '    """The fields and figures of ``IncidentFields`` (after ``incident_id``, before'
    yield '    ``rare``) from the values ``ROW`` unpacked."""'
    unpacked = ["flags"]
    for part in row.parts:
        if part.kind in (Kind.MOMENT, Kind.OPTIONAL_MOMENT):
            unpacked += [f"{part.name}_at", f"{part.name}_offset"]
        elif part.kind is Kind.GRADE_MOMENTS:
            unpacked.append(f"*{part.name}")  # the one starred target: Row allows one
        elif part.kind is not Kind.FLAG:
            unpacked.append(part.name)
    yield from _wrapped("    ", "(", unpacked, ") = values")
    yield "    return ("
    for field in fields:
        yield f"        {_unpack(field)},"
    figure_values = [
        f"1 if flags & {_constant(f.name)}_BIT else 0" if f.kind is Kind.FLAG else f.name
        for f in figures
    ]
    yield from _wrapped("        ", "(", figure_values, "),")
    yield "    )"


def _pack(field: Field) -> str:
    name = f"state.{field.name}"
    return {
        Kind.INT32: name,
        Kind.INT64: name,
        Kind.CATEGORY: f"codes.category_index[{name}]",
        Kind.GRADE: f"codes.grade_index[{name}]",
        Kind.REGION: f"codes.region({name})",
        Kind.MOMENT: f"*codes.moment({name})",
        Kind.OPTIONAL_MOMENT: f"*codes.moment({name})",
        Kind.GRADE_MOMENTS: f"*codes.grade_moments({name})",
    }[field.kind]


def _unpack(field: Field) -> str:
    name = field.name
    if field.kind is Kind.FLAG:
        return f"bool(flags & {_constant(name)}_BIT)"
    if field.kind is Kind.GRADE_MOMENTS:
        return f"codes.grade_since({name})"
    return {
        Kind.INT32: name,
        Kind.INT64: name,
        Kind.CATEGORY: f"codes.categories[{name}]",
        Kind.GRADE: f"codes.grades[{name}]",
        Kind.REGION: f"codes.regions[{name}]",
        Kind.MOMENT: f"codes.moment_of({name}_at, {name}_offset)",
        Kind.OPTIONAL_MOMENT: f"codes.moment_of({name}_at, {name}_offset)",
    }[field.kind]


def python_layout(fields: Sequence[Field] = FIELDS, figures: Sequence[Figure] = FIGURES) -> str:
    return "\n".join(_python_lines(Row(fields, figures))) + "\n"


_C_KINDS = {kind: "KIND_" + kind.name for kind in Kind}


#: The kind each part of the cell key must have, in CELL_KEY's order.
_CELL_KINDS = (Kind.INT32, Kind.REGION, Kind.CATEGORY, Kind.GRADE, Kind.FLAG)


def _cell_key_lines(row: Row) -> list[str]:
    kinds = {p.name: p.kind for p in row.parts}
    month, region, category, grade, apart = CELL_KEY
    for name, kind in zip(CELL_KEY, _CELL_KINDS, strict=True):
        if kinds.get(name) is not kind:
            raise ValueError(f"CELL_KEY: {name} must be a field of kind {kind}")
    if kinds.get(COUNTS_NOWHERE) is not Kind.FLAG:
        raise ValueError(f"COUNTS_NOWHERE: {COUNTS_NOWHERE} must be a field of kind flag")
    return [
        "/* How an incident is counted (fields.CELL_KEY): into the cell of its month, region,",
        " * category, grade and whether it is counted apart; not at all when its COUNTS_NOWHERE",
        " * flag is set. */",
        f"#define CELL_MONTH_AT {row.offsets[month]}",
        f"#define CELL_REGION_AT {row.offsets[region]}",
        f"#define CELL_CATEGORY_AT {row.offsets[category]}",
        f"#define CELL_GRADE_AT {row.offsets[grade]}",
        f"#define CELL_APART_BIT {row.bits[apart]}",
        f"#define COUNTS_NOWHERE_BIT {row.bits[COUNTS_NOWHERE]}",
    ]


def c_header(fields: Sequence[Field] = FIELDS, figures: Sequence[Figure] = FIGURES) -> str:
    row = Row(fields, figures)

    def part(p: Field | Figure) -> str:
        where = row.bits[p.name] if p.kind is Kind.FLAG else row.offsets[p.name]
        return f'    {{"{p.name}", {_C_KINDS[p.kind]}, {where}}},'

    lines = [
        "/* An incident's row for the compiled table: generated from",
        " * safetywatch/accounting/fields.py by `python -m dev.generate`. Do not edit; change the",
        " * declaration and generate again. accounting/layout.py is the same row in Python. */",
        "#ifndef ROWS_LAYOUT_H",
        "#define ROWS_LAYOUT_H",
        "",
        f'#define LAYOUT "{row.layout}"',
        f"#define ROW_SIZE {row.size}",
        f"#define FIELD_COUNT {len(fields)}",
        f"#define FIGURE_COUNT {len(figures)}",
        f"#define GRADE_MOMENTS {GRADES_ABOVE_ORDINARY}",
        "",
        "enum kind {",
        *(f"    {_C_KINDS[kind]}," for kind in Kind),
        "};",
        "",
        "/* A part of a row: its name in IncidentFields, its kind, and its byte offset in the",
        " * row (for a flag: its bit in the flags byte, byte 0). */",
        "typedef struct {",
        "    const char *name;",
        "    enum kind kind;",
        "    int at;",
        "} Part;",
        "",
        "/* IncidentFields' fields between incident_id and figures, in order. */",
        "static const Part FIELDS[FIELD_COUNT] = {",
        *(part(f) for f in fields),
        "};",
        "",
        "/* The figures, in order. */",
        "static const Part FIGURES[FIGURE_COUNT] = {",
        *(part(f) for f in figures),
        "};",
        "",
        *_cell_key_lines(row),
        "",
        "#endif",
    ]
    return "\n".join(lines) + "\n"


DOCUMENT_PATH = "docs/figures.md"


def figures_document(fields: Sequence[Field] = FIELDS, figures: Sequence[Figure] = FIGURES) -> str:
    """docs/figures.md: the declaration as a table people read."""
    row = Row(fields, figures)
    lines = [
        "# An incident as the ledger keeps it",
        "",
        "Generated from `services/safetywatch/accounting/fields.py` by `python -m dev.generate`;",
        "do not edit. Adding a figure: [adding-a-figure.md](adding-a-figure.md).",
        "",
        "## Figures",
        "",
        "What each incident adds to every count it is in: a period's totals are the number",
        "of incidents and the sum of each figure (retracted incidents count nowhere).",
        "",
        "| figure | kind | unit | in the totals and metrics as | meaning |",
        "|---|---|---|---|---|",
    ]
    for figure in figures:
        public = f"`{figure.public}`" if figure.public else "—"
        if figure.scale != 1:
            public += f" (÷ {figure.scale})"
        lines.append(
            f"| `{figure.name}` | {figure.kind} | {figure.unit} | {public} | {figure.meaning} |"
        )
    lines += [
        "",
        "## Fields",
        "",
        "What each incident is: what the reporting rules and the queries read.",
        "",
        "| field | kind | meaning |",
        "|---|---|---|",
        *(f"| `{field.name}` | {field.kind} | {field.meaning} |" for field in fields),
        "",
        f"A row is {row.size} bytes (layout `{row.layout}`): a flags byte, the fields, the",
        "figures, little-endian and unpadded, the same in the Python and the compiled table.",
        "",
    ]
    return "\n".join(lines)
