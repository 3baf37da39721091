"""The aggregator's fast decode accepts only what pydantic accepts, and reads it the same."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from dev.stack import realistic_records
from safetywatch.events.fast_path import (
    SEPARATOR,
    decode_checked,
    decode_fast,
    fast_struct,
    joined_pattern,
)
from safetywatch.events.report import IncidentRecord
from tests.reports import record
from tests.strategies import EDGE_VALUES, RECORD_FIELDS, json_values, mutated_records

#: Generated bodies per property in CI.
EXAMPLES = 600

STORED = json.loads(record(location={"lat": 26.5, "lon": 104.8}, evacuated=600).to_json_bytes())


def plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, msgspec.Struct):
        return msgspec.structs.asdict(value)
    return value


def assert_agrees_with_pydantic(raw: bytes) -> None:
    fast = decode_fast(raw)
    if fast is None:
        return  # refused: pydantic decides, whatever it says
    try:
        validated = IncidentRecord.model_validate_json(raw)
    except ValidationError as error:
        pytest.fail(f"the fast path accepted what pydantic refuses: {raw!r}\n{error}")
    for name in RECORD_FIELDS:
        ours, theirs = plain(getattr(fast, name)), plain(getattr(validated, name))
        assert ours == theirs, f"{name}: {ours!r} != {theirs!r} for {raw!r}"
        assert type(ours) is type(theirs) or {type(ours), type(theirs)} <= {int, float}, name
        if isinstance(ours, datetime):
            assert ours.utcoffset() == theirs.utcoffset(), name
    assert fast.casualties == validated.casualties
    assert_checked_reads_the_same(raw, fast)


def assert_checked_reads_the_same(raw: bytes, fast: Any) -> None:
    """What the replay's reader vouched for is parsed again unchecked: to the same record."""
    again = decode_checked(raw)
    for name in RECORD_FIELDS:
        ours, theirs = getattr(again, name), getattr(fast, name)
        assert ours == theirs, name
        assert type(ours) is type(theirs), name
        if isinstance(ours, datetime):
            assert ours.utcoffset() == theirs.utcoffset(), name


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_records(STORED))
def test_a_mutated_record_is_accepted_only_as_pydantic_reads_it(document: dict[str, Any]) -> None:
    assert_agrees_with_pydantic(json.dumps(document, ensure_ascii=False).encode())


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(st.binary(max_size=400) | json_values.map(lambda v: json.dumps(v).encode()))
@example(b"\xef\xbb\xbf" + json.dumps(STORED).encode())
@example(json.dumps(STORED).encode()[:-1] + b', "deaths": 1, "deaths": 2}')
def test_random_bodies_are_accepted_only_as_pydantic_reads_them(raw: bytes) -> None:
    assert_agrees_with_pydantic(raw)


@pytest.mark.parametrize("edge", EDGE_VALUES, ids=repr)
@pytest.mark.parametrize(
    "field",
    [
        "occurred_at",
        "received_at",
        "reported_at",
        "figures_as_of",
        "region_code",
        "incident_id",
        "unit_id",
        "deaths",
        "people_at_risk",
        "drinking_water_polluted",
        "location",
        "title",
    ],
)
def test_every_edge_value_in_every_field_agrees(field: str, edge: Any) -> None:
    assert_agrees_with_pydantic(json.dumps({**STORED, field: edge}).encode())


#: A stored forest fire and a stored geological hazard, for the fields of one category.
FIRE = json.loads(
    record(category="forest_fire", burned_area_ha=12.5, damaged_forest_area_ha=3.0).to_json_bytes()
)
SLOPE = json.loads(
    record(
        category="geological_hazard", threatened_people=1500, potential_loss_yuan=2e7
    ).to_json_bytes()
)
CATEGORY_FIELDS = {
    "damaged_forest_area_ha": FIRE,
    "damaged_grassland_area_ha": FIRE,
    "burned_area_ha": FIRE,
    "threatened_people": SLOPE,
    "potential_loss_yuan": SLOPE,
}
NUMERIC_EDGES = [
    0,
    -0.0,
    0.001,
    1e7,
    1e7 + 1,
    1e13,
    1e13 + 1,
    -1,
    10_000_000,
    10_000_001,
    1.5,
    None,
    "3",
    True,
]


@pytest.mark.parametrize("edge", NUMERIC_EDGES, ids=repr)
@pytest.mark.parametrize(("field", "base"), CATEGORY_FIELDS.items(), ids=list(CATEGORY_FIELDS))
def test_every_edge_of_the_category_fields_agrees(
    field: str, base: dict[str, Any], edge: Any
) -> None:
    assert_agrees_with_pydantic(json.dumps({**base, field: edge}).encode())
    # and for a category the field does not belong to
    assert_agrees_with_pydantic(json.dumps({**STORED, field: edge}).encode())


MINE = json.loads(record(category="coal_mine", deaths=1).to_json_bytes())


@pytest.mark.parametrize("edge", [None, True, False, 0, 1, "false"], ids=repr)
@pytest.mark.parametrize("base", [STORED, MINE], ids=["road", "coal mine"])
def test_business_related_agrees_on_road_and_where_it_does_not_belong(
    base: dict[str, Any], edge: Any
) -> None:
    assert_agrees_with_pydantic(json.dumps({**base, "business_related": edge}).encode())


def test_the_category_fields_take_the_fast_path() -> None:
    for base in (FIRE, SLOPE):
        fast = decode_fast(json.dumps(base).encode())
        assert fast is not None
    assert decode_fast(json.dumps({**STORED, "threatened_people": 10}).encode()) is None


def test_what_the_gateway_writes_takes_the_fast_path() -> None:
    # Otherwise the replay silently falls back to the slow path for every record.
    for _, raw in realistic_records(500):
        assert decode_fast(raw) is not None, raw
    assert decode_fast(json.dumps(STORED).encode()) is not None


def test_a_trailing_newline_does_not_satisfy_a_pattern() -> None:
    # Python's "$" matches before a final newline; pydantic's Rust regex does not.
    assert decode_fast(json.dumps({**STORED, "region_code": "520201\n"}).encode()) is None


def test_a_field_the_fast_path_cannot_express_is_refused_at_import() -> None:
    from typing import Annotated

    from pydantic import ConfigDict, StringConstraints

    class Unsupported(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        name: Annotated[str, StringConstraints(to_upper=True)]

    with pytest.raises(TypeError, match=r"Unsupported\.name: .*to_upper"):
        fast_struct(Unsupported, msgspec.Struct)


@pytest.mark.parametrize(
    "pattern", [r"^a\bc\Z", r"^(?=a)b\Z", r"^a$", r"^a|^b\Z", r"^(?i)a\Z", r"^a\Z|b"]
)
def test_a_pattern_that_could_see_across_the_separator_is_not_joined(pattern: str) -> None:
    with pytest.raises(TypeError, match="cannot join"):
        joined_pattern([pattern])


def test_joined_patterns_match_exactly_when_every_value_matches_its_own() -> None:
    joined = joined_pattern([r"^[0-9]{2}\Z", r"^(?:a|bc)\Z"])
    for first, second in [("12", "a"), ("12", "bc"), ("1", "2a"), ("12", "abc"), ("12a", "")]:
        expected = bool(re.fullmatch("[0-9]{2}", first) and re.fullmatch("a|bc", second))
        assert bool(joined.match(f"{first}{SEPARATOR}{second}")) is expected, (first, second)
