"""Email that reaches people (issue 28): a 较大 road accident in a county is mailed by the
real Alertmanager, through a mail server that requires STARTTLS and then a password, to
the county's desk, the city's and the province's — once each, the subject and the body in
Chinese with the English beside it, every header UTF-8 correct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from dev.stack import wait_until
from tests.integration.checks import post
from tests.integration.harness import Services
from tests.integration.mail import PASSWORD, USER, MailServer
from tests.integration.monitoring import WebhookReceiver, start_alertmanager, start_prometheus
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration

DESKS = {
    "county-520201": "zhongshan-duty@example.gov.cn",
    "city-duty-office": "liupanshui-duty@example.gov.cn",
    "provincial": "guizhou-duty@example.gov.cn",
}


def _stage(tmp_path: Path) -> tuple[Path, MailServer, WebhookReceiver, dict[str, str]]:
    """The default area as a file, a started mail server, a webhook receiver, and the
    SMTP settings but the password."""
    area = tmp_path / "area.yaml"
    area.write_text(
        (ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8"), "utf-8"
    )
    server = MailServer(tmp_path)
    smtp = {
        "SAFETYWATCH_SMTP_SMARTHOST": server.start(),
        "SAFETYWATCH_SMTP_FROM": USER,
        "SAFETYWATCH_SMTP_USERNAME": USER,
        "SAFETYWATCH_SMTP_CA_FILE": str(server.ca_file),
    }
    return area, server, WebhookReceiver(), smtp


def test_a_serious_accident_is_mailed_to_each_desk_over_starttls_with_a_password(
    services: Services, tmp_path: Path
):
    area, server, webhook, smtp = _stage(tmp_path)
    mail_env = {
        **smtp,
        "SAFETYWATCH_SMTP_PASSWORD": PASSWORD,
        "SAFETYWATCH_PUBLIC_URL": "https://sw.example.gov.cn",
        "SAFETYWATCH_DASHBOARD_URL": "https://grafana.example.gov.cn/d/safetywatch-city",
        **{
            f"SAFETYWATCH_EMAIL_TO_{receiver.upper().replace('-', '_')}": address
            for receiver, address in DESKS.items()
        },
    }
    webhook_url = webhook.start()
    # The same desks on their phones: WeChat Work, through the API's stand-in.
    phones = {
        "SAFETYWATCH_WECHAT_API_URL": webhook.wechat_api_url,
        "SAFETYWATCH_WECHAT_CORP_ID": webhook.corp_id,
        "SAFETYWATCH_WECHAT_API_SECRET": webhook.corp_secret,
        "SAFETYWATCH_WECHAT_AGENT_ID": str(webhook.agent_id),
        **{
            f"SAFETYWATCH_WECHAT_TO_PARTY_{receiver.upper().replace('-', '_')}": receiver
            for receiver in DESKS
        },
    }
    gateway = services.start("gateway", SAFETYWATCH_CONFIG_FILE=str(area))
    aggregator = services.start("aggregator", SAFETYWATCH_CONFIG_FILE=str(area))
    alertmanager = start_alertmanager(tmp_path, area, webhook_url, **mail_env, **phones)
    prometheus = start_prometheus(tmp_path, [aggregator.url], gateway.url, alertmanager.url)
    try:
        rendered = yaml.safe_load((tmp_path / "alertmanager.yml").read_text("utf-8"))
        assert rendered["global"]["smtp_require_tls"] is True
        occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        document = report(
            "520201-MAIL1",
            category="road_traffic",
            occurred_at=occurred,
            deaths=3,
            title="客车侧翻",
        )
        assert post(gateway, document).status_code == 202
        wait_until(
            lambda: all(server.to(address) for address in DESKS.values()),
            90,
            "an email to the county's, the city's and the province's desk",
        )
        for receiver, address in DESKS.items():
            mails = [m for m in server.to(address) if "钟山区" in str(m.message["Subject"])]
            assert mails, receiver
            mail = mails[0]
            assert mail.tls, "sent before STARTTLS"
            assert mail.login == USER
            subject = str(mail.message["Subject"])
            assert subject.startswith("【安全生产告警】钟山区 较大"), subject
            assert "relatively serious" in subject
            part = mail.message.get_body(("html",))
            assert part is not None
            body = part.get_content()
            assert "死亡3人" in body
            assert "发生：" in body
            assert "——" in body  # the English follows the Chinese
            # Links to the incident in the field app and to the dashboard.
            assert 'href="https://sw.example.gov.cn/app/#/incident/520201-MAIL1"' in body
            assert 'href="https://grafana.example.gov.cn/d/safetywatch-city"' in body
            # Kept beside the test's logs: what a desk received, whole (the README shows one).
            (tmp_path / f"{receiver}.eml").write_bytes(mail.message.as_bytes())
        assert server.refused_logins == 0

        def on_phones() -> dict[str, list[str]]:
            with webhook.lock:
                sent = list(webhook.wechat)
            return {
                party: [text for to, text in sent if to == party and "520201-MAIL1" in text]
                for party in DESKS
            }

        wait_until(lambda: all(on_phones().values()), 60, "a WeChat message to each desk")
        for party, texts in on_phones().items():
            assert texts[0].startswith("【安全生产告警】钟山区 较大事故"), party
        assert webhook.wechat_refused == []

        # A retraction resolves it: each desk is told so, in the same channel, once.
        retraction = {**document, "revision": 2, "retracted": True}
        assert post(gateway, retraction).status_code == 202

        def resolved(address: str) -> list[Any]:
            """The resolutions about this incident (the city also hears of the quarter's
            rise in deaths, which the retraction resolves too)."""
            return [
                m
                for m in server.to(address)
                if "告警已恢复" in str(m.message["Subject"]) and "520201-MAIL1" in _body(m)
            ]

        wait_until(
            lambda: all(resolved(address) for address in DESKS.values()),
            90,
            "each desk to be told the alert is resolved",
        )
        # Two group intervals (2 s each) without a message: nothing more is coming.
        wait_until(lambda: server.quiet_for(4.0), 30, "the mail server to go quiet")
        for address in DESKS.values():
            assert len(resolved(address)) == 1, address
            firing = [
                m
                for m in server.to(address)
                if "安全生产告警" in str(m.message["Subject"]) and "520201-MAIL1" in _body(m)
            ]
            assert len(firing) == 1, address  # two notifications in all: the alert, its end
            subject = str(resolved(address)[0].message["Subject"])
            assert subject.startswith("【告警已恢复】钟山区"), subject
            assert "[RESOLVED]" in subject
    finally:
        prometheus.stop()
        alertmanager.stop()
        webhook.stop()
        server.stop()


def test_a_mail_server_refusing_the_password_is_an_alert_not_silence(
    services: Services, tmp_path: Path
):
    area, server, webhook, smtp = _stage(tmp_path)
    mail_env = {
        **smtp,
        "SAFETYWATCH_SMTP_PASSWORD": "not-the-password",
        "SAFETYWATCH_EMAIL_TO_COUNTY_520201": DESKS["county-520201"],
    }
    gateway = services.start("gateway", SAFETYWATCH_CONFIG_FILE=str(area))
    aggregator = services.start("aggregator", SAFETYWATCH_CONFIG_FILE=str(area))
    alertmanager = start_alertmanager(tmp_path, area, webhook.start(), **mail_env)
    prometheus = start_prometheus(tmp_path, [aggregator.url], gateway.url, alertmanager.url)
    try:
        occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        document = report("520201-MAIL2", category="road_traffic", occurred_at=occurred, deaths=3)
        assert post(gateway, document).status_code == 202

        def failed() -> float:
            text = httpx.get(f"{alertmanager.url}/metrics", timeout=10).text
            return sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("alertmanager_notifications_failed_total{")
                and 'integration="email"' in line
            )

        wait_until(lambda: failed() > 0, 90, "Alertmanager to count a failed email")
        assert server.refused_logins > 0
        assert not server.to(DESKS["county-520201"])

        def firing() -> list[Any]:
            body = httpx.get(f"{prometheus.url}/api/v1/alerts", timeout=10).json()
            return [
                a
                for a in body["data"]["alerts"]
                if a["labels"]["alertname"] == "SafetywatchNotificationsFailing"
                and a["state"] == "firing"
            ]

        wait_until(firing, 60, "the alert about failing notifications")
        assert firing()[0]["labels"]["integration"] == "email"
        # The password never appears in what the services log.
        for log in tmp_path.glob("*.log"):
            assert "not-the-password" not in log.read_text("utf-8", errors="replace"), log
    finally:
        prometheus.stop()
        alertmanager.stop()
        webhook.stop()
        server.stop()


def _body(received: Any) -> str:
    part = received.message.get_body(("html",))
    return "" if part is None else str(part.get_content())
