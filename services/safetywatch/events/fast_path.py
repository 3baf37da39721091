"""A cheaper decode of stored records for the aggregator, derived from ``IncidentRecord``.

Validating a record with pydantic cost the replay about 6 µs, more than all of its
accounting; msgspec checks the same constraints in about 2 µs. The msgspec type is
generated from the pydantic model's fields, so the model stays the one definition
of a record: a field or constraint the generator cannot express raises at import.

The fast path only ever accepts. Whatever it refuses goes to pydantic, which gives the
verdict and the error detail, so both must agree on what they accept. Where the two
libraries differ, the fast path is narrowed to a subset both agree on: a pattern's
``$`` is ``\\Z`` (Python's ``$`` also matches before a final newline, Rust's does not),
and date-times must look like RFC 3339 with an offset, whose values ``fromisoformat``
then parses. A property test feeds both generated, mutated and random records.
"""

from __future__ import annotations

import operator
import re
import types
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Union, cast, get_args, get_origin

import annotated_types
import msgspec
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from safetywatch.events.report import (
    MOMENT_VALIDATORS,
    IncidentRecord,
    check_category_fields,
    check_figures_moment,
    check_moment,
    check_not_after_receipt,
    check_region_prefix,
    count_casualties,
)
from safetywatch.events.stored_record import StoredRecord

#: RFC 3339 with an offset and at most microseconds, hours and minutes in range: a
#: subset of what pydantic accepts for which ``datetime.fromisoformat`` agrees with it.
RFC3339_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])\Z"
)


class _FastRecordBase(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    @property
    def casualties(self) -> int:
        fields: Any = self
        return count_casualties(fields.deaths, fields.missing)


def _python_pattern(pattern: str) -> str:
    # pydantic matches with Rust's regex, where "$" means the end of the text only.
    return pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern


def _forbids_inf_nan_only(item: Any) -> bool:
    # pydantic 2.13 says so with _PydanticGeneralMetadata, 2.14 with AllowInfNan.
    return type(item).__name__ in {"_PydanticGeneralMetadata", "AllowInfNan"} and (
        getattr(item, "__dict__", None) == {"allow_inf_nan": False}
    )


def _constraints(metadata: list[Any], where: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            meta["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            meta["le"] = item.le
        elif type(item).__name__ == "StringConstraints":
            for name in ("strip_whitespace", "to_upper", "to_lower", "min_length", "ascii_only"):
                if getattr(item, name) is not None:
                    raise TypeError(f"{where}: the fast path cannot express {name}")
            if item.max_length is not None:
                meta["max_length"] = item.max_length
            if item.pattern is not None:
                meta["pattern"] = _python_pattern(item.pattern)
        elif _forbids_inf_nan_only(item):
            continue  # JSON has no NaN or Infinity, and msgspec refuses out-of-range numbers
        else:
            raise TypeError(f"{where}: the fast path cannot express {item!r}")
    return meta


def _fast_type(annotation: Any, metadata: list[Any], where: str) -> Any:
    """The msgspec type that accepts what pydantic's strict ``annotation`` accepts (or less)."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1 or len(get_args(annotation)) != 2:
            raise TypeError(f"{where}: the fast path handles only X | None unions")
        return _fast_type(members[0], metadata, where) | None
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        nested = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        return _fast_type(inner, [*metadata, *nested], where)
    if annotation is AwareDatetime:
        # The pattern below is narrower than the model's RFC 3339 check; the span is
        # checked after parsing (``decode_fast``).
        if len(metadata) != len(MOMENT_VALIDATORS) or any(
            a is not b for a, b in zip(metadata, MOMENT_VALIDATORS, strict=True)
        ):
            raise TypeError(f"{where}: the fast path knows only the Moment date-time")
        return Annotated[str, msgspec.Meta(pattern=RFC3339_PATTERN)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return fast_struct(annotation, msgspec.Struct)
    if annotation in (str, int, float, bool) or (
        isinstance(annotation, type) and issubclass(annotation, Enum)
    ):
        meta = _constraints(metadata, where)
        return Annotated[annotation, msgspec.Meta(**meta)] if meta else annotation
    raise TypeError(f"{where}: the fast path cannot express {annotation!r}")


def _pattern_only(fast: Any) -> str | None:
    """``p`` for ``Annotated[str, Meta(pattern=p)]`` with nothing else constrained."""
    if get_origin(fast) is not Annotated:
        return None
    inner, *metas = get_args(fast)
    if inner is not str or len(metas) != 1 or not isinstance(metas[0], msgspec.Meta):
        return None
    meta = metas[0]
    others = (meta.max_length, meta.min_length, meta.ge, meta.le, meta.gt, meta.lt)
    return meta.pattern if all(other is None for other in others) else None


#: Joins the values of pattern-checked fields for one combined match. No field pattern
#: admits it (checked on every value), so segments cannot run into each other.
SEPARATOR = "\x1f"


_UNJOINABLE = re.compile(r"\^|\$|\\[AZbB]|\(\?[^:]")


def joined_pattern(patterns: list[str]) -> re.Pattern[str]:
    """One regex matching the separator-joined values iff each matches its own pattern:
    msgspec calls the regex engine once per field, and the calls cost more than the
    matching (five patterns were two thirds of the decode)."""
    parts = []
    for pattern in patterns:
        inner = pattern.removeprefix("^").removesuffix(r"\Z")
        # Anchors, word boundaries, lookarounds and flags could see across a separator.
        if len(inner) != len(pattern) - 3 or _UNJOINABLE.search(inner):
            raise TypeError(f"the fast path cannot join the pattern {pattern!r}")
        parts.append(f"(?:{inner})")
    return re.compile(r"\A" + re.escape(SEPARATOR).join(parts) + r"\Z")


def fast_struct(
    model: type[BaseModel],
    base: type[msgspec.Struct],
    joined: list[tuple[str, str]] | None = None,
) -> type[msgspec.Struct]:
    """The msgspec twin of ``model``. With ``joined``, required fields checked only by a
    pattern become plain strings and their (name, pattern) are appended to it."""
    config = model.model_config
    if config.get("extra") != "forbid" or not config.get("strict"):
        raise TypeError(f"{model.__name__}: the fast path needs a strict model with extra=forbid")
    fields: list[tuple[str, Any, Any]] = []
    for name, info in model.model_fields.items():
        where = f"{model.__name__}.{name}"
        if info.alias not in (None, name) or info.default_factory is not None:
            raise TypeError(f"{where}: the fast path cannot express aliases or default factories")
        fast = _fast_type(info.annotation, list(info.metadata), where)
        pattern = _pattern_only(fast)
        if joined is not None and pattern is not None and info.default is PydanticUndefined:
            joined.append((name, pattern))
            fast = str
        fields.append(
            (name, fast, msgspec.NODEFAULT if info.default is PydanticUndefined else info.default)
        )
    required = [(n, t) for n, t, d in fields if d is msgspec.NODEFAULT]
    optional = [(n, t, d) for n, t, d in fields if d is not msgspec.NODEFAULT]
    return msgspec.defstruct(
        f"Fast{model.__name__}",
        [*required, *optional],
        bases=(base,),
        forbid_unknown_fields=True,
        gc=False,
    )


def _is_date_time(annotation: Any) -> bool:
    """AwareDatetime itself, or inside ``X | None`` or ``Annotated[X, ...]``."""
    if annotation is AwareDatetime:
        return True
    if get_origin(annotation) in (Union, types.UnionType, Annotated):
        return any(_is_date_time(argument) for argument in get_args(annotation))
    return False


_DATETIME_FIELDS = tuple(
    name for name, info in IncidentRecord.model_fields.items() if _is_date_time(info.annotation)
)
_JOINED_FIELDS: list[tuple[str, str]] = []
_FAST_RECORD = fast_struct(IncidentRecord, _FastRecordBase, _JOINED_FIELDS)
_DECODER = msgspec.json.Decoder(_FAST_RECORD)
_JOINED = joined_pattern([pattern for _, pattern in _JOINED_FIELDS])
_joined_values = operator.attrgetter(*(name for name, _ in _JOINED_FIELDS))
_SEPARATORS = len(_JOINED_FIELDS) - 1
_parse_datetime = datetime.fromisoformat


def _with_parsed_moments(fast: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """``fast`` with msgspec reading its date-time texts as date-times: for bytes the fast
    path accepted, whose texts are RFC 3339 within the span, where msgspec's parse and
    ``fromisoformat`` agree (a property test holds them to it). It saved the replay a
    tenth of a record's parse."""
    fields = [
        (
            f.name,
            (datetime if f.required else datetime | None) if f.name in _DATETIME_FIELDS else f.type,
            msgspec.NODEFAULT if f.required else f.default,
        )
        for f in msgspec.structs.fields(fast)
    ]
    return msgspec.defstruct(
        "CheckedIncidentRecord",
        fields,
        bases=(_FastRecordBase,),
        forbid_unknown_fields=True,
        gc=False,
    )


_CHECKED_DECODER = msgspec.json.Decoder(_with_parsed_moments(_FAST_RECORD))


def decode_fast(raw: bytes) -> StoredRecord | None:
    """The record in ``raw`` if the fast path accepts it; None means: ask pydantic."""
    try:
        record: Any = _DECODER.decode(raw)
        text = SEPARATOR.join(_joined_values(record))
        if text.count(SEPARATOR) != _SEPARATORS or _JOINED.match(text) is None:
            return None
        for name in _DATETIME_FIELDS:
            value = getattr(record, name)
            if value is not None:
                setattr(record, name, check_moment(_parse_datetime(value)))
        check_region_prefix(record.incident_id, record.region_code)
        if (  # one expression: most records have none of these, and a loop cost 0.3 µs
            record.burned_area_ha
            or record.damaged_forest_area_ha
            or record.damaged_grassland_area_ha
            or record.threatened_people
            or record.potential_loss_yuan
            or record.business_related is not None
        ):
            check_category_fields(record)
        check_not_after_receipt(record.occurred_at, record.received_at)
        if record.figures_as_of is not None:
            check_figures_moment(record.occurred_at, record.figures_as_of)
            check_not_after_receipt(record.figures_as_of, record.received_at, "figures_as_of")
    except (msgspec.DecodeError, ValueError):
        return None
    fast: StoredRecord = record
    return fast


def decode_checked(raw: bytes) -> StoredRecord:
    """What ``decode_fast`` returns for ``raw``, known to accept it: the same parse
    without the checks. For bytes ``decode_fast`` accepted in another process (the
    replay's reader), which this one then need not check again."""
    checked: Any = _CHECKED_DECODER.decode(raw)
    return cast(StoredRecord, checked)


def is_fast_record(decoded: object) -> bool:
    """Whether ``decoded`` came from the fast path (not from pydantic)."""
    return isinstance(decoded, _FastRecordBase)
