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

from safetywatch.config.errors import ConfigError
from safetywatch.config.settings import ENV_PREFIX, GatewaySettings, NotificationSettings
from safetywatch.regions import Area

FIXED_RECEIVERS = ("city-duty-office", "provincial", "national")


def receiver_names(area: Area) -> list[str]:
    return [*FIXED_RECEIVERS, *(f"county-{region.code}" for region in area.counties)]


#: A route of the base file that stands for one route per county.
PER_COUNTY = "county-{region}"


def _per_county(routes: list[dict[str, Any]], area: Area) -> list[dict[str, Any]]:
    """Each PER_COUNTY route as one route per county: its matchers and the county's
    region; nested routes likewise."""
    expanded: list[dict[str, Any]] = []
    for route in routes:
        if "routes" in route:
            route = {**route, "routes": _per_county(route["routes"], area)}
        if route.get("receiver") != PER_COUNTY:
            expanded.append(route)
            continue
        for region in area.counties:
            matchers = [*route.get("matchers", []), f'region="{region.code}"']
            expanded.append({**route, "receiver": f"county-{region.code}", "matchers": matchers})
    return expanded


def _require(value: str, variable: str, because: str) -> str:
    if not value:
        raise ConfigError(f"environment: {ENV_PREFIX}{variable} is required when {because}")
    return value


def _unknown_receivers(receivers: list[str], env: Mapping[str, str]) -> None:
    """A per-receiver variable for a receiver that does not exist is a typo: say so."""
    keys = {name.upper().replace("-", "_") for name in receivers}
    for variable in sorted(env):
        for prefix in NotificationSettings.PER_RECEIVER:
            head = ENV_PREFIX + prefix
            if variable.startswith(head) and variable.removeprefix(head) not in keys:
                raise ConfigError(
                    f"environment: {variable}: no receiver {variable.removeprefix(head)}; "
                    f"the receivers are {', '.join(sorted(keys))}"
                )


def _receiver(name: str, notify: NotificationSettings, env: Mapping[str, str]) -> dict[str, Any]:
    receiver: dict[str, Any] = {"name": name}
    url = notify.for_receiver("WEBHOOK_URL_", name, env) or notify.webhook_url
    if url:
        receiver["webhook_configs"] = [
            {"url": url.replace("{receiver}", name), "send_resolved": True, "max_alerts": 20}
        ]
    email_to = notify.for_receiver("EMAIL_TO_", name, env)
    if email_to:
        email: dict[str, Any] = {
            "to": email_to,
            "send_resolved": True,
            "headers": {"Subject": '{{ template "safetywatch.email.subject" . }}'},
            "html": '{{ template "safetywatch.email.html" . }}' + _links(notify, env),
        }
        if notify.smtp_ca_file is not None:
            email["tls_config"] = {"ca_file": str(notify.smtp_ca_file)}
        receiver["email_configs"] = [email]
    party = notify.for_receiver("WECHAT_TO_PARTY_", name, env)
    if party:
        because = f"{ENV_PREFIX}WECHAT_TO_PARTY_{name.upper().replace('-', '_')} is set"
        receiver["wechat_configs"] = [
            {
                "to_party": party,
                "agent_id": _require(notify.wechat_agent_id, "WECHAT_AGENT_ID", because),
                "send_resolved": True,
                "message": '{{ template "safetywatch.wechat" . }}',
            }
        ]
    return receiver


def _links(notify: NotificationSettings, env: Mapping[str, str]) -> str:
    """Each incident's page in the field app (the gateway's public address) and the city
    overview dashboard where one is set: HTML after the email's text."""
    app = GatewaySettings.from_mapping(env).public_url.rstrip("/")
    incident = (
        "{{ range .Alerts }}{{ with .Labels.incident_id }}"
        f'<a href="{app}/app/#/incident/{{{{ . }}}}">在现场应用中查看 {{{{ . }}}} / '
        "open {{ . }} in the field app</a><br>{{ end }}{{ end }}"
    )
    dashboard = (
        f'<a href="{notify.dashboard_url}">城市总览 / city overview dashboard</a>'
        if notify.dashboard_url
        else ""
    )
    return f"<p>{incident}{dashboard}</p>"


def _globals(notify: NotificationSettings, receivers: list[dict[str, Any]]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if any("email_configs" in r for r in receivers):
        because = "a receiver sends email"
        settings["smtp_smarthost"] = _require(notify.smtp_smarthost, "SMTP_SMARTHOST", because)
        settings["smtp_from"] = _require(notify.smtp_from, "SMTP_FROM", because)
        settings["smtp_require_tls"] = notify.smtp_require_tls
        if notify.smtp_username:
            settings["smtp_auth_username"] = notify.smtp_username
        if notify.smtp_password.get_secret_value():
            settings["smtp_auth_password"] = notify.smtp_password.get_secret_value()
    if any("wechat_configs" in r for r in receivers):
        because = "a receiver sends to WeChat Work"
        settings["wechat_api_corp_id"] = _require(notify.wechat_corp_id, "WECHAT_CORP_ID", because)
        secret = notify.wechat_api_secret.get_secret_value()
        settings["wechat_api_secret"] = _require(secret, "WECHAT_API_SECRET", because)
        if notify.wechat_api_url:
            settings["wechat_api_url"] = notify.wechat_api_url
    return settings


def render_alertmanager_config(
    base_file: Path, area: Area, env: Mapping[str, str]
) -> dict[str, Any]:
    notify = NotificationSettings.from_mapping(env)
    config: dict[str, Any] = yaml.safe_load(base_file.read_text(encoding="utf-8"))
    route = config["route"]
    route.update(
        group_wait=notify.group_wait,
        group_interval=notify.group_interval,
        repeat_interval=notify.repeat_interval,
    )
    route["routes"] = _per_county(route["routes"], area)
    names = receiver_names(area)
    _unknown_receivers(names, env)
    receivers = [_receiver(name, notify, env) for name in names]
    config["receivers"] = receivers
    config["global"] = {**config.get("global", {}), **_globals(notify, receivers)}
    config["templates"] = [str((base_file.parent / "templates" / "*.tmpl").resolve())]
    return config


def write_alertmanager_config(
    base_file: Path, area: Area, env: Mapping[str, str], out: Path
) -> Path:
    config = render_alertmanager_config(base_file, area, env)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.touch(mode=0o600, exist_ok=True)
    out.chmod(0o600)  # it may hold the SMTP password and the WeChat secret
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
