"""Tokens that end, units changed only on purpose, and one sentence for each mistake an
administrator makes with ``safetywatch tokens`` (exit status 2, never a traceback)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safetywatch.cli import main
from safetywatch.units import TokenCommandError, TokenExpired, add_token, revoke_token, update_unit
from safetywatch.units.registry import TokenRegistry
from safetywatch.units.tokens import audit_path, read_token_file

NOW = datetime(2026, 12, 5, 8, tzinfo=UTC)


def test_a_token_ends_when_it_expires_and_says_so(tmp_path: Path):
    tokens = tmp_path / "tokens.json"
    token = add_token(tokens, "zhongshan", ["520201"], expires_in=timedelta(days=30), now=NOW)
    moments = iter([NOW + timedelta(days=29), NOW + timedelta(days=30)])
    registry = TokenRegistry(tokens, now=lambda: next(moments))
    assert registry.authenticate(f"Bearer {token}") is not None
    expired = registry.verdict(f"Bearer {token}")
    assert isinstance(expired, TokenExpired)
    assert expired.expires_at == NOW + timedelta(days=30)


def test_a_unit_changes_only_on_purpose_and_the_change_is_audited(tmp_path: Path):
    tokens = tmp_path / "tokens.json"
    add_token(tokens, "zhongshan", ["520201"])
    with pytest.raises(TokenCommandError, match="tokens update-unit zhongshan"):
        add_token(tokens, "zhongshan", ["5202"])
    add_token(tokens, "zhongshan", ["520201"])  # the same regions: a second token
    unit = update_unit(tokens, "zhongshan", ["520201", "520203"])
    assert unit.regions == ["520201", "520203"]
    (unit,) = read_token_file(tokens).units
    assert len(unit.tokens) == 2
    last = json.loads(audit_path(tokens).read_text("utf-8").splitlines()[-1])
    assert (last["action"], last["before"]["regions"], last["after"]["regions"]) == (
        "update_unit",
        ["520201"],
        ["520201", "520203"],
    )


def test_revoking_twice_or_by_the_whole_token_is_said_plainly(tmp_path: Path):
    tokens = tmp_path / "tokens.json"
    token = add_token(tokens, "zhongshan", ["520201"])
    token_id = token.split("_")[1]
    with pytest.raises(TokenCommandError, match=f"revoke by its id \\({token_id}\\)"):
        revoke_token(tokens, token, settle=False)
    assert revoke_token(tokens, token_id, settle=False) == "zhongshan"
    with pytest.raises(TokenCommandError, match="already revoked"):
        revoke_token(tokens, token_id, settle=False)
    assert revoke_token(tokens, "0123456789ab", settle=False) is None


@pytest.mark.parametrize(
    ("arguments", "sentence"),
    [
        (["add", "x", "--regions", "52020"], "--regions: '52020' is not a region code prefix"),
        (["add", "x", "--regions", "5301"], "--regions: 5301 is not in the area 六盘水市"),
        (["add", "a unit", "--regions", "520201"], "unit_id: String should match pattern"),
        (["update-unit", "nobody", "--regions", "520201"], "no unit nobody"),
    ],
)
def test_each_mistake_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], sentence: str
):
    status = main(["tokens", "--file", str(tmp_path / "tokens.json"), *arguments])
    err = capsys.readouterr().err
    assert status == 2
    assert sentence in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_list_shows_when_tokens_expire(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "tokens.json"
    assert (
        main(
            [
                "tokens",
                "--file",
                str(path),
                "add",
                "zs",
                "--regions",
                "520201",
                "--expires-in",
                "90",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["tokens", "--file", str(path), "list"]) == 0
    listed = capsys.readouterr().out
    expires = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%d")
    assert f"expires {expires}" in listed


def test_a_qr_code_for_an_address_no_phone_reaches_is_warned_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    png = tmp_path / "qr.png"
    arguments = ["tokens", "--file", str(tmp_path / "t.json"), "add", "zs", "--regions", "520201"]
    monkeypatch.setenv("SAFETYWATCH_PUBLIC_URL", "http://127.0.0.1:8080")
    assert main([*arguments, "--qr-png", str(png)]) == 0
    assert "which a phone cannot reach" in capsys.readouterr().err
    monkeypatch.setenv("SAFETYWATCH_PUBLIC_URL", "https://sw.example.gov.cn")
    assert main([*arguments, "--qr-png", str(png)]) == 0
    assert "cannot reach" not in capsys.readouterr().err


def test_a_token_saved_to_a_file_is_printed_nowhere_and_only_its_owner_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    tokens, saved = tmp_path / "tokens.json", tmp_path / "desk.token"
    saved.write_text("old\n")
    saved.chmod(0o644)  # an existing file is tightened, not trusted
    command = ["tokens", "--file", str(tokens), "add", "desk", "--regions", "5202"]
    assert main([*command, "--level", "city", "--save-to", str(saved)]) == 0
    out = capsys.readouterr().out
    token = saved.read_text().strip()
    assert token.startswith("sw_")
    assert token not in out
    assert f"its new token is in {saved} (0600), shown nowhere else" in out
    assert saved.stat().st_mode & 0o777 == 0o600
    registry = TokenRegistry(tokens)
    unit = registry.authenticate(f"Bearer {token}")
    assert unit is not None
    assert unit.unit_id == "desk"
