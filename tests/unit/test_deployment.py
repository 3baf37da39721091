"""What can be checked of the Docker deployment without a Docker engine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from safetywatch.cli import build_parser
from tests.paths import ROOT

DEPLOY = ROOT / "deploy"
MONITORING = DEPLOY / "monitoring"
COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
PROMETHEUS: dict[str, Any] = yaml.safe_load(
    (MONITORING / "prometheus/compose.yml").read_text("utf-8")
)
DEFAULT_PORTS = {"gateway": 8080, "aggregator": 9108}


def bind_mounts(service: dict[str, Any]) -> list[tuple[Path, PurePosixPath]]:
    mounts = []
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts.append(((DEPLOY / source).resolve(), PurePosixPath(target)))
    return mounts


def host_path(service: dict[str, Any], container_path: str) -> Path | None:
    """Where a path inside the container comes from on the host, if it is bind-mounted."""
    wanted = PurePosixPath(container_path)
    for source, target in bind_mounts(service):
        if wanted == target or target in wanted.parents:
            return source / wanted.relative_to(target)
    return None


def test_the_stack_has_every_part_the_issue_names():
    assert {
        "kafka",
        "gateway",
        "aggregator-1",
        "aggregator-2",
        "prometheus",
        "alertmanager",
        "grafana",
    } <= set(SERVICES)
    assert SERVICES["kafka"]["image"].startswith("apache/kafka:4.")
    assert SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_bind_mounted_path_exists_in_the_repository(name):
    for source, _ in bind_mounts(SERVICES[name]):
        assert source.exists(), f"{name} mounts {source}, which does not exist"


def test_scrape_targets_are_compose_services_on_the_ports_they_listen_on():
    targets = {
        job["job_name"]: [t for c in job["static_configs"] for t in c["targets"]]
        for job in PROMETHEUS["scrape_configs"]
    }
    assert targets["safetywatch-aggregator"] == ["aggregator-1:9108", "aggregator-2:9108"]
    assert targets["safetywatch-gateway"] == ["gateway:8080"]
    # Alertmanager's own metrics: its failed notifications are an alert too.
    assert targets["alertmanager"] == ["alertmanager:9093"]
    assert "alertmanager" in SERVICES
    ours = [t for name, job in targets.items() if name.startswith("safetywatch-") for t in job]
    for target in ours:
        service, port = target.split(":")
        assert service in SERVICES, f"{target}: no such service"
        kind = SERVICES[service]["command"][0]
        listening = int(
            SERVICES[service]["environment"].get(
                f"SAFETYWATCH_{kind.upper()}_PORT", DEFAULT_PORTS[kind]
            )
        )
        assert int(port) == listening, target
        assert SERVICES[service]["environment"][f"SAFETYWATCH_{kind.upper()}_HOST"] == "0.0.0.0"
    [alerting] = PROMETHEUS["alerting"]["alertmanagers"]
    assert alerting["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_prometheus_rules_and_grafana_provisioning_are_mounted_from_the_repository():
    [rules] = PROMETHEUS["rule_files"]
    source = host_path(SERVICES["prometheus"], rules)
    assert source == MONITORING / "prometheus/rules/safetywatch.yml"
    assert (
        host_path(SERVICES["prometheus"], "/etc/prometheus/prometheus.yml")
        == MONITORING / "prometheus/compose.yml"
    )
    grafana = SERVICES["grafana"]
    assert (
        host_path(grafana, "/etc/grafana/provisioning/datasources/prometheus.yml")
        == MONITORING / "grafana/provisioning/datasources/prometheus.yml"
    )
    provider = yaml.safe_load(
        (MONITORING / "grafana/provisioning/dashboards/safetywatch.yml").read_text("utf-8")
    )
    dashboards = host_path(grafana, provider["providers"][0]["options"]["path"])
    assert dashboards == MONITORING / "grafana/dashboards"
    assert grafana["environment"]["SAFETYWATCH_PROMETHEUS_URL"] == "http://prometheus:9090"


def test_alertmanager_reads_the_rendered_configuration_and_its_templates_from_the_same_paths():
    render = SERVICES["alertmanager-config"]["command"]
    base = render[render.index("--base") + 1]
    out = render[render.index("--out") + 1]
    assert (
        host_path(SERVICES["alertmanager-config"], base)
        == MONITORING / "alertmanager/alertmanager.base.yml"
    )
    # The renderer writes the templates' absolute path; alertmanager must see them there too.
    templates = str(PurePosixPath(base).parent / "templates")
    assert host_path(SERVICES["alertmanager"], templates) == MONITORING / "alertmanager/templates"
    assert f"--config.file={out}" in SERVICES["alertmanager"]["command"]


def test_services_run_commands_the_cli_knows():
    parser = build_parser()
    for name, service in SERVICES.items():
        if service.get("image") == "safetywatch:local":
            parser.parse_args(service["command"])  # exits on an unknown command
            assert service["build"]["dockerfile"] == "deploy/Dockerfile", name


def test_the_image_installs_the_package_the_tests_install():
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    version = re.search(r"^FROM python:(\d+)\.(\d+)", dockerfile, re.M)
    assert version, "the image must start from an official python image"
    minimum = re.search(r">=(\d+)\.(\d+)", project["requires-python"])
    assert minimum
    assert (int(version[1]), int(version[2])) >= (int(minimum[1]), int(minimum[2]))
    assert "COPY pyproject.toml setup.py" in dockerfile  # setup.py: the compiled rows
    assert "COPY services ./services" in dockerfile
    assert re.search(r"pip wheel [^\n]*\.(\s|$)", dockerfile), (
        "build this project from its pyproject.toml"
    )
    assert "safetywatch/native/_rows" in dockerfile, "the image checks its compiled rows"
    assert 'ENTRYPOINT ["safetywatch"]' in dockerfile
    assert project["scripts"]["safetywatch"] == "safetywatch.cli:main"


def test_no_secret_is_in_the_compose_file():
    text = (DEPLOY / "compose.yaml").read_text("utf-8")
    # A value taken from deploy/.env (`${NAME:-}`) is a reference, not a secret.
    assert not re.search(r"^\s*\w*(PASSWORD|SECRET|TOKEN)\w*:[ \t]*(?!\$\{)\S", text, re.M), (
        "secrets belong in deploy/.env"
    )
    assert (ROOT / ".gitignore").read_text("utf-8").count("deploy/.env") == 1
    example = (DEPLOY / ".env.example").read_text("utf-8")
    assert all(
        line.endswith("=") for line in example.splitlines() if line and not line.startswith("#")
    )
