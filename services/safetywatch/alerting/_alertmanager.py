"""Renders the runnable Alertmanager configuration from the committed base file.

Receivers get only the integrations whose endpoints the environment provides, so a
development machine never tries to reach a mail server or WeChat it was not given,
and no secret is ever written into the repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from safetywatch.config import AreaConfig, ConfigError

PREFIX = "SAFETYWATCH_"
FIXED_RECEIVERS = ("city-duty-office", "provincial", "national")
TIMINGS = ("group_wait", "group_interval", "repeat_interval")


def receiver_names(area: AreaConfig) -> list[str]:
    counties = [f"county-{region.code}" for region in area.regions if region.parent is not None]
    return [*FIXED_RECEIVERS, *counties]


def _key(receiver: str) -> str:
    return receiver.upper().replace("-", "_")


def _require(env: Mapping[str, str], name: str, because: str) -> str:
    value = env.get(PREFIX + name)
    if not value:
        raise ConfigError(f"environment: {PREFIX}{name} is required when {because}")
    return value


def _receiver(name: str, env: Mapping[str, str]) -> dict[str, Any]:
    key = _key(name)
    receiver: dict[str, Any] = {"name": name}
    url = env.get(f"{PREFIX}WEBHOOK_URL_{key}") or env.get(f"{PREFIX}WEBHOOK_URL")
    if url:
        receiver["webhook_configs"] = [
            {"url": url.replace("{receiver}", name), "send_resolved": True, "max_alerts": 20}
        ]
    email_to = env.get(f"{PREFIX}EMAIL_TO_{key}")
    if email_to:
        receiver["email_configs"] = [
            {
                "to": email_to,
                "send_resolved": True,
                "headers": {"Subject": '{{ template "safetywatch.email.subject" . }}'},
                "html": '{{ template "safetywatch.email.html" . }}',
            }
        ]
    party = env.get(f"{PREFIX}WECHAT_TO_PARTY_{key}")
    if party:
        receiver["wechat_configs"] = [
            {
                "to_party": party,
                "agent_id": _require(
                    env, "WECHAT_AGENT_ID", f"{PREFIX}WECHAT_TO_PARTY_{key} is set"
                ),
                "send_resolved": True,
                "message": '{{ template "safetywatch.wechat" . }}',
            }
        ]
    return receiver


def _globals(env: Mapping[str, str], receivers: list[dict[str, Any]]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if any("email_configs" in r for r in receivers):
        because = "a receiver sends email"
        settings["smtp_smarthost"] = _require(env, "SMTP_SMARTHOST", because)
        settings["smtp_from"] = _require(env, "SMTP_FROM", because)
        for name, key in (
            ("SMTP_USERNAME", "smtp_auth_username"),
            ("SMTP_PASSWORD", "smtp_auth_password"),
        ):
            if env.get(PREFIX + name):
                settings[key] = env[PREFIX + name]
    if any("wechat_configs" in r for r in receivers):
        because = "a receiver sends to WeChat Work"
        settings["wechat_api_corp_id"] = _require(env, "WECHAT_CORP_ID", because)
        settings["wechat_api_secret"] = _require(env, "WECHAT_API_SECRET", because)
        if env.get(PREFIX + "WECHAT_API_URL"):
            settings["wechat_api_url"] = env[PREFIX + "WECHAT_API_URL"]
    return settings


def render_alertmanager_config(
    base_file: Path, area: AreaConfig, env: Mapping[str, str]
) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(base_file.read_text(encoding="utf-8"))
    route = config["route"]
    for timing in TIMINGS:
        override = env.get(f"{PREFIX}ALERTMANAGER_{timing.upper()}")
        if override:
            route[timing] = override
    counties = [
        {
            "receiver": f"county-{region.code}",
            "matchers": [f'region="{region.code}"'],
            "continue": True,
        }
        for region in area.regions
        if region.parent is not None
    ]
    route["routes"][-1:-1] = counties  # before the catch-all city duty office
    receivers = [_receiver(name, env) for name in receiver_names(area)]
    config["receivers"] = receivers
    config["global"] = {**config.get("global", {}), **_globals(env, receivers)}
    config["templates"] = [str((base_file.parent / "templates" / "*.tmpl").resolve())]
    return config


def write_alertmanager_config(
    base_file: Path, area: AreaConfig, env: Mapping[str, str], out: Path
) -> Path:
    config = render_alertmanager_config(base_file, area, env)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.touch(mode=0o600, exist_ok=True)
    out.chmod(0o600)  # it may hold the SMTP password and the WeChat secret
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
