"""Real Prometheus and Alertmanager processes, and a webhook receiver, for alerting tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from dev.stack import InfrastructureError, Supervised, free_port
from tests.paths import ROOT

PROMETHEUS_CONFIG = ROOT / "deploy" / "monitoring" / "prometheus" / "prometheus.yml"
RULES = PROMETHEUS_CONFIG.parent / "rules" / "safetywatch.yml"
ALERTMANAGER_BASE = ROOT / "deploy" / "monitoring" / "alertmanager" / "alertmanager.base.yml"


def binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise InfrastructureError(
        f"none of {names} is installed: dev/test installs Debian's prometheus and "
        "prometheus-alertmanager when it runs as root; install them and run it again"
    )


@dataclass
class Process(Supervised):
    """Prometheus or Alertmanager, with the URL it answers on."""

    url: str = ""


def _spawn(
    name: str, command: list[str], directory: Path, url: str, env: dict[str, str] | None = None
) -> Process:
    started = Supervised.start(name, command, directory / f"{name}.log", env, cwd=directory)
    process = Process(started.name, started.process, started.log_path, url)
    process.wait_ready(f"{url}/-/ready", timeout=60)
    return process


def start_alertmanager(
    directory: Path, area_file: Path, webhook_url: str, **extra_env: str
) -> Process:
    port = free_port()
    config = directory / "alertmanager.yml"
    area = yaml.safe_load(area_file.read_text("utf-8"))
    env = {
        **os.environ,
        # Notification times ("告警自") in the area's zone, as dev/up runs it.
        "TZ": area.get("time_zone", "Asia/Shanghai"),
        **extra_env,
        "SAFETYWATCH_CONFIG_FILE": str(area_file),
        "SAFETYWATCH_WEBHOOK_URL": webhook_url,
        "SAFETYWATCH_ALERTMANAGER_GROUP_WAIT": "1s",
        "SAFETYWATCH_ALERTMANAGER_GROUP_INTERVAL": "2s",
        "SAFETYWATCH_ALERTMANAGER_REPEAT_INTERVAL": "1h",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "safetywatch",
            "alertmanager-config",
            "--base",
            str(ALERTMANAGER_BASE),
            "--out",
            str(config),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    command = [
        binary("prometheus-alertmanager", "alertmanager"),
        f"--config.file={config}",
        f"--storage.path={directory / 'alertmanager-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",  # one instance here: no gossip port
    ]
    return _spawn("alertmanager", command, directory, f"http://127.0.0.1:{port}", env)


def _static(urls: list[str]) -> list[dict[str, list[str]]]:
    """Prometheus' static_configs for these base URLs."""
    return [{"targets": [url.removeprefix("http://") for url in urls]}]


def start_prometheus(
    directory: Path, aggregators: list[str], gateway: str, alertmanager: str | None = None
) -> Process:
    """The local stack's Prometheus configuration (deploy/monitoring), its targets
    replaced and every job scraped each second."""
    port = free_port()
    config: dict[str, Any] = yaml.safe_load(PROMETHEUS_CONFIG.read_text("utf-8"))
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(RULES)]
    targets = {
        "safetywatch-aggregator": aggregators,
        "safetywatch-aggregator-counts": aggregators,
        "safetywatch-gateway": [gateway],
        "alertmanager": [alertmanager] if alertmanager is not None else [],
    }
    jobs = []
    for job in config["scrape_configs"]:
        urls = targets[job["job_name"]]  # a job this does not know is a KeyError to fix
        job.pop("scrape_interval", None)
        job["static_configs"] = _static(urls)
        if urls:
            jobs.append(job)
    config["scrape_configs"] = jobs
    if alertmanager is None:
        del config["alerting"]
    else:
        config["alerting"]["alertmanagers"] = [{"static_configs": _static([alertmanager])}]
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [
        binary("prometheus"),
        f"--config.file={path}",
        f"--storage.tsdb.path={directory / 'prometheus-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    return _spawn("prometheus", command, directory, f"http://127.0.0.1:{port}")


@dataclass
class Notification:
    receiver: str
    arrived: float
    payload: dict[str, Any]


#: The WeChat Work API's limit on a text message, and the token the stand-in issues.
WECHAT_TEXT_BYTES = 2048
WECHAT_TOKEN = "stand-in-token"


@dataclass
class WebhookReceiver:
    """Collects what Alertmanager posts, by receiver (the URL path). Under ``/wechat/``
    it also answers as the WeChat Work API does (``wechat_api_url``) and checks the calls
    as it does — a token asked for with the corp id and secret, a message sent with that
    token, the app's agent id, a party and text within the API's 2,048 bytes — so that a
    test reads the message exactly as Alertmanager rendered it for a phone, and every call
    the real API would refuse is in ``wechat_refused``."""

    notifications: list[Notification] = field(default_factory=list)
    #: (to_party, text) of every WeChat message.
    wechat: list[tuple[str, str]] = field(default_factory=list)
    #: Why the API would have refused a call (errcode: errmsg), for every refused call.
    wechat_refused: list[str] = field(default_factory=list)
    corp_id: str = "test-corp"
    corp_secret: str = "test-secret"
    agent_id: int = 1000002
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wechat_verdict(
        self, query: dict[str, list[str]], body: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The API's answer to gettoken (no body) or message/send, by its documented codes."""
        if body is None:
            if query.get("corpid") != [self.corp_id] or query.get("corpsecret") != [
                self.corp_secret
            ]:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            return {"errcode": 0, "errmsg": "ok", "access_token": WECHAT_TOKEN, "expires_in": 7200}
        if query.get("access_token") != [WECHAT_TOKEN]:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        # Alertmanager sends it as a JSON string; the API takes either.
        if str(body.get("agentid")) != str(self.agent_id):
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        if not body.get("toparty") and not body.get("touser") and not body.get("totag"):
            return {"errcode": 40031, "errmsg": "invalid user list"}
        content = (body.get("text") or {}).get("content", "")
        if body.get("msgtype") != "text" or not content:
            return {"errcode": 44004, "errmsg": "empty content"}
        if len(content.encode()) > WECHAT_TEXT_BYTES:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        return {"errcode": 0, "errmsg": "ok"}

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _wechat(self, body: dict[str, Any] | None) -> None:
                query = parse_qs(urlsplit(self.path).query)
                verdict = receiver.wechat_verdict(query, body)
                with receiver.lock:
                    if verdict["errcode"]:
                        receiver.wechat_refused.append(f"{verdict['errcode']}: {verdict['errmsg']}")
                    elif body is not None:
                        receiver.wechat.append((body["toparty"], body["text"]["content"]))
                self._answer(verdict)

            def do_GET(self) -> None:  # WeChat Work: cgi-bin/gettoken
                self._wechat(None)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                if self.path.startswith("/wechat/"):  # cgi-bin/message/send
                    self._wechat(body)
                    return
                with receiver.lock:
                    receiver.notifications.append(
                        Notification(self.path.strip("/"), time.monotonic(), body)
                    )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/{{receiver}}"

    @property
    def wechat_api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/wechat/"

    def stop(self) -> None:
        self.server.shutdown()

    def about(
        self, incident_id: str, status: str = "firing"
    ) -> list[tuple[Notification, dict[str, Any]]]:
        """Notifications (with the matching alert) that mention the incident in ``status``."""
        with self.lock:
            return [
                (n, alert)
                for n in self.notifications
                for alert in n.payload["alerts"]
                if alert["labels"].get("incident_id") == incident_id and alert["status"] == status
            ]
