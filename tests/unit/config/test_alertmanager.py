"""The Prometheus rules and Alertmanager routing, checked by promtool and amtool themselves.

The binaries come from Debian's prometheus and prometheus-alertmanager, which the
test command installs; a missing one is a failure, never a skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from safetywatch.config.alertmanager import (
    receiver_names,
    render_alertmanager_config,
    write_alertmanager_config,
)
from safetywatch.config.area import load_area
from safetywatch.config.errors import ConfigError
from tests.integration.monitoring import ALERTMANAGER_BASE, RULES, binary
from tests.paths import ROOT

AREA = load_area()
EVERY_INTEGRATION = {
    "SAFETYWATCH_WEBHOOK_URL": "http://127.0.0.1:5001/{receiver}",
    "SAFETYWATCH_EMAIL_TO_NATIONAL": "duty@example.org",
    "SAFETYWATCH_SMTP_SMARTHOST": "127.0.0.1:25",
    "SAFETYWATCH_SMTP_FROM": "safetywatch@example.org",
    "SAFETYWATCH_SMTP_PASSWORD": "not-in-the-repository",
    "SAFETYWATCH_WECHAT_TO_PARTY_CITY_DUTY_OFFICE": "2",
    "SAFETYWATCH_WECHAT_AGENT_ID": "1000002",
    "SAFETYWATCH_WECHAT_CORP_ID": "ww0123",
    "SAFETYWATCH_WECHAT_API_SECRET": "not-in-the-repository",
}


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def test_promtool_unit_tests_of_the_rules_pass():
    run(binary("promtool"), "check", "rules", str(RULES))
    run(
        binary("promtool"),
        "test",
        "rules",
        str(ROOT / "deploy/monitoring/prometheus/tests/safetywatch_test.yml"),
    )


def test_the_local_prometheus_configuration_is_valid():
    run(
        binary("promtool"),
        "check",
        "config",
        str(ROOT / "deploy/monitoring/prometheus/prometheus.yml"),
    )


@pytest.fixture(scope="module")
def full_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("alertmanager") / "alertmanager.yml"
    return write_alertmanager_config(ALERTMANAGER_BASE, AREA, EVERY_INTEGRATION, out)


def test_amtool_accepts_the_rendered_configuration_with_and_without_integrations(
    full_config, tmp_path
):
    bare = write_alertmanager_config(ALERTMANAGER_BASE, AREA, {}, tmp_path / "bare.yml")
    run(binary("amtool"), "check-config", str(full_config), str(bare))


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        (
            ["grade=relatively_serious", "region=520201", "severity=critical"],
            ["provincial", "county-520201", "city-duty-office"],
        ),
        (
            ["grade=serious", "region=520281"],
            ["national", "provincial", "county-520281", "city-duty-office"],
        ),
        (
            ["grade=particularly_serious", "region=520203"],
            ["national", "provincial", "county-520203", "city-duty-office"],
        ),
        (
            ["grade=ordinary", "region=520204", "rule=late_report"],
            ["county-520204", "city-duty-office"],
        ),
        (["rule=road_deaths_quarter", "region=5202", "severity=warning"], ["city-duty-office"]),
    ],
)
def test_routing_follows_decree_493_article_10(full_config, labels, receivers):
    assert routed(full_config, labels) == receivers


def routed(config: Path, labels: list[str]) -> list[str]:
    output = run(binary("amtool"), "config", "routes", "test", f"--config.file={config}", *labels)
    return output.splitlines()[0].split(",")


LATE = ["rule=reporting_chain", "alertname=SafetywatchReportingOverdue", "severity=critical"]
FOLLOW_UP = ["rule=follow_up", "alertname=SafetywatchFollowUpOverdue", "severity=warning"]


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        # The grade says nothing here: a late county step of a 较大 accident goes to the
        # county and the city, not to the province (the grade routes would).
        (
            [*LATE, "level=county", "region=520201", "grade=relatively_serious"],
            ["county-520201", "city-duty-office"],
        ),
        ([*LATE, "level=city", "region=520201"], ["city-duty-office", "provincial"]),
        ([*LATE, "level=province", "region=520281", "grade=serious"], ["provincial", "national"]),
        ([*LATE, "level=national", "region=520281"], ["national"]),
        # A county the area does not list: its city's duty office hears of it.
        ([*LATE, "level=county", "region=520299"], ["city-duty-office"]),
        ([*FOLLOW_UP, "level=county", "region=520203"], ["county-520203"]),
        ([*FOLLOW_UP, "level=county", "region=520299"], ["city-duty-office"]),
        ([*FOLLOW_UP, "level=city", "region=520203", "grade=serious"], ["city-duty-office"]),
        ([*FOLLOW_UP, "level=province", "region=520203"], ["provincial"]),
    ],
)
def test_a_late_step_reaches_its_level_and_the_one_above_a_late_follow_up_its_own(
    full_config, labels, receivers
):
    assert routed(full_config, labels) == receivers


def test_receivers_get_only_the_integrations_the_environment_configures():
    config = render_alertmanager_config(
        ALERTMANAGER_BASE, AREA, {"SAFETYWATCH_WEBHOOK_URL_PROVINCIAL": "http://127.0.0.1:1/p"}
    )
    by_name = {r["name"]: r for r in config["receivers"]}
    assert set(by_name) == set(receiver_names(AREA))
    assert by_name["provincial"]["webhook_configs"][0]["url"] == "http://127.0.0.1:1/p"
    assert by_name["city-duty-office"] == {"name": "city-duty-office"}
    assert "smtp_smarthost" not in config["global"]


def test_secrets_come_from_the_environment_and_the_file_is_private(full_config):
    text = full_config.read_text("utf-8")
    assert "not-in-the-repository" in text
    assert full_config.stat().st_mode & 0o077 == 0
    committed = (ROOT / "deploy/monitoring/alertmanager/alertmanager.base.yml").read_text("utf-8")
    assert "not-in-the-repository" not in committed


def test_email_without_a_mail_server_names_the_missing_variable():
    with pytest.raises(ConfigError, match="SAFETYWATCH_SMTP_SMARTHOST is required"):
        render_alertmanager_config(
            ALERTMANAGER_BASE, AREA, {"SAFETYWATCH_EMAIL_TO_NATIONAL": "a@b.c"}
        )


def test_the_inhibition_silences_warnings_of_the_same_rule_instance():
    base = yaml.safe_load(ALERTMANAGER_BASE.read_text("utf-8"))
    [rule] = base["inhibit_rules"]
    assert rule["source_matchers"] == ['severity="critical"']
    assert rule["target_matchers"] == ['severity="warning"']
    assert set(rule["equal"]) == {"rule", "region", "category", "incident_id"}
