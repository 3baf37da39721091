"""Tokens, rate limits, report files, the outbox and retry timing: the pure parts of the field-unit path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from safetywatch.client.deliver import backoff
from safetywatch.client.outbox import Outbox
from safetywatch.ingest.limits import RateLimiter
from safetywatch.regions.levels import Level
from safetywatch.units.registry import TokenRegistry
from safetywatch.units.tokens import add_token, read_token_file, revoke_token, update_unit


@pytest.fixture
def tokens(tmp_path: Path) -> Path:
    return tmp_path / "tokens.json"


def test_a_new_token_authenticates_its_unit_with_its_regions(tokens):
    token = add_token(tokens, "county-520201", ["520201"])
    unit = TokenRegistry(tokens).authenticate(f"Bearer {token}")
    assert unit is not None
    assert unit.unit_id == "county-520201"
    assert unit.may_report("520201")
    assert not unit.may_report("520203")


def test_importing_history_is_a_permission_of_a_token_given_explicitly(tokens):
    field = add_token(tokens, "county-520201", ["520201"])
    importer = add_token(tokens, "county-520201", ["520201"], can_import=True)
    registry = TokenRegistry(tokens)
    units = [registry.authenticate(f"Bearer {token}") for token in (field, importer)]
    assert [unit.can_import for unit in units if unit is not None] == [False, True]
    audit = (tokens.parent / "tokens.json.audit.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["can_import"] for line in audit] == [False, True]


def test_a_unit_has_a_level_county_unless_given_and_kept_across_new_tokens(tokens):
    county = add_token(tokens, "zhongshan", ["520201"])
    city = add_token(tokens, "liupanshui", ["5202"], Level.CITY)
    again = add_token(tokens, "liupanshui", ["5202"])  # a second token keeps the level
    registry = TokenRegistry(tokens)
    levels = {
        token: unit.level
        for token in (county, city, again)
        if (unit := registry.authenticate(f"Bearer {token}")) is not None
    }
    assert levels == {county: Level.COUNTY, city: Level.CITY, again: Level.CITY}
    # A unit's level changes on purpose only (tokens update-unit), for all its tokens.
    update_unit(tokens, "zhongshan", level=Level.CITY)
    unit = TokenRegistry(tokens).authenticate(f"Bearer {county}")
    assert unit is not None
    assert unit.level is Level.CITY
    last = json.loads(tokens.with_name("tokens.json.audit.jsonl").read_text().splitlines()[-1])
    assert (last["action"], last["after"]["level"]) == ("update_unit", "city")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer sw_",
        "Bearer sw_0123456789ab_wrong",
        "Bearer xx_{id}_{secret}",
        "Bearer sw_{id}_{secret}x",
        "Token sw_{id}_{secret}",
    ],
)
def test_anything_but_the_exact_token_is_refused(tokens, header):
    token = add_token(tokens, "u", ["52"])
    _, token_id, secret = token.split("_", 2)
    registry = TokenRegistry(tokens)
    assert registry.authenticate(header and header.format(id=token_id, secret=secret)) is None


def test_the_file_holds_salted_digests_never_the_token(tokens):
    token = add_token(tokens, "u", ["52"])
    secret = token.split("_", 2)[2]
    text = tokens.read_text("utf-8")
    assert secret not in text
    assert tokens.stat().st_mode & 0o077 == 0
    add_token(tokens, "u", ["52"])
    [unit] = read_token_file(tokens).units
    first, second = unit.tokens
    assert len(first.salt) == 32
    assert first.salt != second.salt
    assert first.digest != second.digest


def test_a_revoked_token_stops_working_within_the_recheck_interval(tokens):
    now = [0.0]
    token = add_token(tokens, "u", ["52"])
    registry = TokenRegistry(tokens, recheck_seconds=1.0, clock=lambda: now[0])
    assert registry.authenticate(f"Bearer {token}") is not None
    assert revoke_token(tokens, token.split("_")[1])
    os.utime(tokens, ns=(1, 1))  # a change the registry sees even within one clock tick
    now[0] = 0.5
    assert registry.authenticate(f"Bearer {token}") is not None  # not looked at yet
    now[0] = 1.0
    assert registry.authenticate(f"Bearer {token}") is None


def test_a_token_added_a_moment_ago_works_at_once(tokens):
    registry = TokenRegistry(tokens, recheck_seconds=3600, clock=lambda: 0.0)
    token = add_token(tokens, "u", ["52"])
    os.utime(tokens, ns=(2, 2))
    assert registry.authenticate(f"Bearer {token}") is not None
    assert not revoke_token(tokens, "000000000000")


def test_a_broken_token_file_keeps_the_tokens_already_loaded(tokens):
    token = add_token(tokens, "u", ["52"])
    registry = TokenRegistry(tokens)
    tokens.write_text("{not json", "utf-8")
    assert registry.authenticate(f"Bearer {token}") is not None


def test_the_rate_limiter_allows_a_burst_then_the_rate():
    now = [0.0]
    limiter = RateLimiter(per_second=10, burst=20, clock=lambda: now[0])
    assert limiter.take("a", 20) == 0
    assert limiter.take("a", 1) == pytest.approx(0.1)
    assert limiter.take("b", 1) == 0  # per unit
    now[0] = 0.5
    assert limiter.take("a", 5) == 0
    assert limiter.take("a", 21) == float("inf")


def test_the_outbox_keeps_each_report_once_until_it_is_accepted(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    report = {"incident_id": "520201-A", "revision": 1, "deaths": 2}
    path = outbox.put(report)
    assert outbox.put(dict(report)) == path  # the same report queued twice is one file
    outbox.put({**report, "revision": 2})
    assert len(outbox.pending()) == 2
    outbox.delivered(path)
    [left] = outbox.pending()
    refused = outbox.refuse(left, 422, [{"field": "deaths", "msg": "x"}])
    assert not outbox.pending()
    assert json.loads(refused.with_suffix(".reason.json").read_text("utf-8"))["status"] == 422


def test_backoff_has_full_jitter_under_an_exponential_ceiling_and_honours_retry_after():
    assert backoff(0, None, rng=lambda: 1.0) == 0.5
    assert backoff(3, None, rng=lambda: 1.0) == 4.0
    assert backoff(20, None, rng=lambda: 1.0) == 30.0
    assert backoff(3, None, rng=lambda: 0.0) == 0.0
    assert backoff(0, 7.0, rng=lambda: 0.5) == 7.0


def test_the_outbox_stamps_when_the_unit_reported_once_and_keeps_a_given_stamp(tmp_path):
    from datetime import UTC, datetime

    outbox = Outbox(tmp_path / "outbox")
    report = {"incident_id": "520201-A", "revision": 1}
    first = outbox.put(report, now=lambda: datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    again = outbox.put(report, now=lambda: datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    assert first == again
    assert Outbox.load(first)["reported_at"] == "2026-11-30T08:00:00+00:00"
    given = outbox.put({**report, "revision": 2, "reported_at": "2026-11-30T07:55:00+08:00"})
    assert Outbox.load(given)["reported_at"] == "2026-11-30T07:55:00+08:00"
