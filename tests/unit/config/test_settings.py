"""Bad configuration stops start-up with a message naming the key and its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from safetywatch.config.area import load_area
from safetywatch.config.errors import ConfigError
from safetywatch.config.settings import ENV_PREFIX, ROLES, load_role, load_settings

LIUPANSHUI = {"520200", "520201", "520203", "520204", "520281"}


def test_the_default_area_is_liupanshui():
    area = load_area()
    assert area.root.code == "520200"
    assert area.root.name == "六盘水市"
    assert area.region_codes == LIUPANSHUI
    assert area.time_zone == "Asia/Shanghai"
    assert area.exposed_quarters == 5


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "area.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("time_zone: Mars/Olympus\nregions: [{code: '520200', name: x}]", "time_zone"),
        ("exposed_quarters: 0\nregions: [{code: '520200', name: x}]", "exposed_quarters"),
        ("regions: [{code: '5202', name: x}]", "regions[0].code"),
        ("regions: [{code: '520200'}]", "regions[0].name"),
        ("regions: [{code: '520200', name: x, colour: red}]", "regions[0].colour"),
        ("regions: []", "regions"),
        ("colour: red\nregions: [{code: '520200', name: x}]", "colour"),
    ],
)
def test_a_bad_area_file_names_the_key_and_the_file(tmp_path, text, named):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_area(path)
    assert f"{path}: {named}:" in str(caught.value)


def test_a_region_tree_needs_exactly_one_root(tmp_path):
    path = write(tmp_path, "regions: [{code: '520200', name: a}, {code: '520300', name: b}]")
    with pytest.raises(ConfigError, match="exactly one region must have no parent"):
        load_area(path)


def test_parents_must_be_listed(tmp_path):
    path = write(
        tmp_path,
        "regions: [{code: '520200', name: a}, {code: '520201', name: b, parent: '520900'}]",
    )
    with pytest.raises(ConfigError, match=r"regions\[1\].parent: 520900 \(520201's parent\)"):
        load_area(path)


def test_duplicate_codes_are_refused(tmp_path):
    path = write(
        tmp_path,
        "regions: [{code: '520200', name: a}, {code: '520200', name: b, parent: '520200'}]",
    )
    with pytest.raises(ConfigError) as refused:
        load_area(path)
    # One short line naming the entry, never the whole file (a province's is 10 KB).
    (line,) = str(refused.value).splitlines()[1:]
    assert "regions[1].code: 520200 is listed already, as regions[0]" in line
    assert len(line) < 300


def test_unreadable_and_malformed_files_say_so(tmp_path):
    with pytest.raises(ConfigError, match="SAFETYWATCH_CONFIG_FILE: cannot read"):
        load_area(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_area(write(tmp_path, "regions: [unclosed"))


def test_environment_errors_name_the_variable(monkeypatch):
    monkeypatch.setenv("SAFETYWATCH_GATEWAY_PORT", "eighty")
    monkeypatch.setenv("SAFETYWATCH_PRODUCE_TIMEOUT_SECONDS", "-1")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "environment: SAFETYWATCH_GATEWAY_PORT:" in message
    assert "environment: SAFETYWATCH_PRODUCE_TIMEOUT_SECONDS:" in message


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("SAFETYWATCH_TOPIC", "other.topic")
    monkeypatch.setenv("SAFETYWATCH_AGGREGATOR_PORT", "9200")
    settings = load_settings()
    assert settings.kafka.topic == "other.topic"
    assert settings.aggregator.port == 9200
    assert settings.connection.bootstrap == "127.0.0.1:9092"
    assert settings.connection.security_protocol == "PLAINTEXT"


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        ("SAFETYWATCH_KAFKA_BOOTSTRAP", "127.0.0.1;9092", "expected host:port, comma-separated"),
        ("SAFETYWATCH_ALERTMANAGER_GROUP_WAIT", "10", "expected a duration with its unit"),
        ("SAFETYWATCH_PUBLIC_URL", "sw.example.gov.cn", "expected an address with its scheme"),
    ],
)
def test_values_other_programs_read_are_checked_where_they_are_read(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, sentence: str
):

    monkeypatch.setenv(variable, value)
    role = next(r for r in ROLES if variable in r.variables().values())
    with pytest.raises(ConfigError) as refused:
        load_role(role)
    assert f"environment: {variable}: {sentence}" in str(refused.value)


def test_a_misspelt_setting_is_named_with_the_nearest_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from safetywatch.cli import main
    from safetywatch.config.settings import unknown_variables

    # Made up here: a misspelt name in a file would be an undeclared variable there.
    misspelt, stranger = ENV_PREFIX + "GATEWAY_PROT", ENV_PREFIX + "NOTHING_LIKE_IT"
    environ = {
        misspelt: "8081",
        "SAFETYWATCH_GATEWAY_PORT": "8080",
        "SAFETYWATCH_EMAIL_TO_COUNTY_520201": "desk@example.gov.cn",
        stranger: "1",
        "PATH": "/usr/bin",
    }
    assert unknown_variables(environ) == [
        (misspelt, "SAFETYWATCH_GATEWAY_PORT"),
        (stranger, None),
    ]
    monkeypatch.setenv(misspelt, "8081")
    for command in (["config", "check"], ["gateway"], ["aggregator"]):
        assert main(command) == 2, command  # refused before anything starts
        assert f"{misspelt} is unknown: did you mean SAFETYWATCH_GATEWAY_PORT?" in (
            capsys.readouterr().err
        )
