"""The local stack behind dev/up and down: Kafka (unless one is given), the topic,
the gateway, the aggregator, and Prometheus and Alertmanager where Debian's packages are
installed. Processes run detached with a pid file each under .run/."""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from dev.paths import ROOT, RUN
from dev.settings import LocalSettings, service_environment
from dev.stack.broker import Broker
from dev.stack.polling import wait_until
from dev.stack.processes import InfrastructureError, Supervised, pid_in, port_in_use, stop_pid
from safetywatch.config import (
    KafkaConnectionSettings,
    load_area,
    load_role,
    load_settings,
    receiver_names,
    refuse_unknown_variables,
)
from safetywatch.kafka import TopicSpec, ensure_topic
from safetywatch.logs import configure_logging
from safetywatch.regions import Area, Level
from safetywatch.units import add_token

PYTHON = sys.executable
#: The demo's mail server (no TLS, local only) and where it keeps what it is sent.
MAIL_SINK_PORT = 2525
MAIL = RUN / "mail"


def say(message: str) -> None:
    print(f"up: {message}", flush=True)


@dataclass(frozen=True)
class Component:
    name: str
    port: int
    command: tuple[str, ...]
    #: An HTTP path answering 200 when ready; None: ready once the port accepts.
    ready_path: str | None

    @property
    def pid_file(self) -> Path:
        return RUN / f"{self.name}.pid"

    def running_pid(self) -> int | None:
        return pid_in(self.pid_file)

    def start(self, env: dict[str, str]) -> None:
        if (pid := self.running_pid()) is not None:
            say(f"{self.name} already running (pid {pid})")
            return
        if port_in_use(self.port):
            raise InfrastructureError(
                f"port {self.port} is taken by another process; set SAFETYWATCH_{self.name.upper()}_PORT"
            )
        log = RUN / "logs" / f"{self.name}.log"
        process = Supervised.start(self.name, self.command, log, env, cwd=ROOT, detach=True)
        self.pid_file.write_text(str(process.process.pid))
        say(f"started {self.name} (pid {process.process.pid}), log {log.relative_to(ROOT)}")

    def wait_ready(self) -> None:
        url = f"http://127.0.0.1:{self.port}{self.ready_path or ''}"

        def ready() -> bool:
            if self.running_pid() is None:
                log = RUN / "logs" / f"{self.name}.log"
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                raise InfrastructureError(f"{self.name} exited; the end of its log:\n{tail}")
            if self.ready_path is None:
                return port_in_use(self.port)
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, 90, f"{self.name} at {url} to be ready", interval=0.3)

    def stop(self) -> None:
        pid = self.running_pid()
        if pid is None:
            print(f"down: {self.name} not running")
        else:
            stop_pid(pid, timeout=15)
            print(f"down: stopped {self.name} (pid {pid})")
        self.pid_file.unlink(missing_ok=True)


def _components(gateway_port: int, aggregator_port: int) -> list[Component]:
    alertmanager_file = RUN / "alertmanager" / "alertmanager.yml"
    return [
        Component("gateway", gateway_port, (PYTHON, "-m", "safetywatch", "gateway"), "/readyz"),
        Component(
            "aggregator", aggregator_port, (PYTHON, "-m", "safetywatch", "aggregator"), "/readyz"
        ),
        Component(
            "alertmanager",
            9093,
            (
                "prometheus-alertmanager",
                f"--config.file={alertmanager_file}",
                f"--storage.path={RUN / 'alertmanager' / 'data'}",
                "--web.listen-address=127.0.0.1:9093",
                "--cluster.listen-address=",
            ),
            "/-/ready",
        ),
        Component(
            "mail-sink",
            MAIL_SINK_PORT,
            (PYTHON, "-m", "dev.stack.mail_sink", str(MAIL_SINK_PORT), str(MAIL)),
            None,
        ),
        Component(
            "prometheus",
            9090,
            (
                "prometheus",
                f"--config.file={ROOT / 'deploy/monitoring/prometheus/prometheus.yml'}",
                f"--storage.tsdb.path={RUN / 'prometheus'}",
                "--web.listen-address=127.0.0.1:9090",
            ),
            "/-/ready",
        ),
    ]


def _kafka(
    env: dict[str, str], brokers: int, secure: bool
) -> tuple[Broker | None, KafkaConnectionSettings]:
    """The cluster to use and how the tooling connects to it (on a secured local
    cluster, as its administrator)."""
    if os.environ.get("SAFETYWATCH_KAFKA_BOOTSTRAP"):
        connection = load_role(KafkaConnectionSettings)
        say(f"using the existing Kafka cluster at {connection.described()}")
        return None, connection
    broker = Broker.from_settings(load_role(LocalSettings), brokers, secure)
    broker.start()
    env["SAFETYWATCH_KAFKA_BOOTSTRAP"] = broker.bootstrap
    os.environ["SAFETYWATCH_KAFKA_BOOTSTRAP"] = broker.bootstrap
    return broker, broker.connection()


def _demo_token(env: dict[str, str]) -> Path:
    tokens = Path(env.setdefault("SAFETYWATCH_TOKENS_FILE", str(RUN / "tokens.json")))
    token_file = RUN / "demo-token"
    if not token_file.is_file() or not token_file.read_text().strip():
        # The whole city is a city bureau's jurisdiction: the app shows it as 市级.
        token = add_token(tokens, "demo-unit", ["5202"], Level.CITY)
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        say(
            "created field unit demo-unit (city level, region 5202); its token is in .run/demo-token"
        )
    return token_file


def up(demo: bool, brokers: int = 1, secure: bool = False) -> int:
    # What this prints says what happened; library chatter only on trouble.
    configure_logging("tooling", "console", "WARNING", cache_loggers=False)
    (RUN / "logs").mkdir(parents=True, exist_ok=True)
    env = service_environment(os.environ)
    # Every setting and the area file checked before anything starts: a bad variable
    # leaves no broker running behind its error.
    settings = load_settings()
    area = load_area(settings.config_file)
    load_role(LocalSettings)
    refuse_unknown_variables(os.environ, LocalSettings.variables().values())
    print(f"configuration OK: {len(area.regions)} regions under {area.root.code} {area.root.name}")
    broker, kafka = _kafka(env, brokers, secure)
    replication = settings.kafka.replication
    if broker is not None and "SAFETYWATCH_TOPIC_REPLICATION" not in env:
        replication = min(3, broker.brokers)
    spec = TopicSpec(settings.kafka.topic, replication_factor=replication)
    created = asyncio.run(ensure_topic(kafka, spec))
    print(
        f"topic {spec.name} {'created' if created else 'already exists'} on {kafka.bootstrap}"
        f" (replication {spec.replication_factor}, min.insync.replicas {spec.min_insync_replicas})"
    )
    # Each service connects as its own principal on a secured local cluster.
    principals: dict[str, dict[str, str]] = {}
    if broker is not None and broker.secure:
        broker.grant(spec.name)
        principals = {
            name: broker.connection(name).environment() for name in ("gateway", "aggregator")
        }
    token_file = _demo_token(env)
    gateway, aggregator, alertmanager, mail_sink, prometheus = _components(
        settings.gateway.port, settings.aggregator.port
    )
    # The gateway asks the aggregator about an incident before a confirmation.
    env.setdefault("SAFETYWATCH_AGGREGATOR_URL", f"http://127.0.0.1:{settings.aggregator.port}")
    for component in (gateway, aggregator):
        component.start({**env, **principals.get(component.name, {})})
    for component in (gateway, aggregator):
        component.wait_ready()
    monitoring = bool(shutil.which("prometheus") and shutil.which("prometheus-alertmanager"))
    if monitoring:
        from safetywatch.config import write_alertmanager_config

        if demo and not env.get("SAFETYWATCH_SMTP_SMARTHOST"):
            # The demo's desks get their email from a local mail sink.
            env.update(_demo_mail(area))
            mail_sink.start(env)
            mail_sink.wait_ready()
        write_alertmanager_config(
            ROOT / "deploy/monitoring/alertmanager/alertmanager.base.yml",
            area,
            env,
            RUN / "alertmanager" / "alertmanager.yml",
        )
        # Notifications say "since 14:05" in the zone Alertmanager runs in: the area's.
        alertmanager.start({**env, "TZ": area.time_zone})
        prometheus.start(env)
        for component in (alertmanager, prometheus):
            component.wait_ready()
    _print_urls(broker, kafka, settings.kafka.topic, gateway.port, aggregator.port, monitoring)
    if demo:
        return _run_demo(gateway.port, aggregator.port, area.zone, token_file, monitoring)
    return 0


def _first_page(base: str, paths: tuple[str, ...]) -> str:
    """The first of ``paths`` the server answers with a page: Debian's Prometheus keeps
    its UI at /classic/, Debian's Alertmanager has none (its API then)."""
    for path in paths:
        try:
            response = httpx.get(base + path.split("#")[0] or "/", timeout=5)
        except httpx.HTTPError:
            continue
        ui = "text/html" in response.headers.get("content-type", "") or path.startswith("/api/")
        if response.status_code == 200 and ui and b"does not include" not in response.content:
            return base + path
    return base + paths[-1]


def _print_urls(
    broker: Broker | None,
    kafka: KafkaConnectionSettings,
    topic: str,
    gateway: int,
    aggregator: int,
    monitoring: bool,
) -> None:
    lines = [
        "up: safetywatch is running",
        f"  Kafka               {kafka.described()}  (topic {topic})",
    ]
    for node in broker.nodes if broker is not None and broker.brokers > 1 else ():
        lines.append(f"    broker {node.node_id}          {node.address}  (log {node.log_file})")
    if broker is not None and broker.secrets is not None:
        lines.append(
            f"    secured           SASL_SSL, CA {broker.secrets.ca_file}; users' passwords in "
            f"{broker.secrets.directory}/ (gateway writes, aggregator reads, admin creates)"
        )
    lines += [
        f"  ingest gateway      http://127.0.0.1:{gateway}/v1/incidents   (/metrics, /readyz, /docs)",
        f"  field app           http://127.0.0.1:{gateway}/app/   (sign in with the demo unit's token)",
        f"  aggregator metrics  http://127.0.0.1:{aggregator}/metrics   (/metrics/counts: the counts)",
        f"  summary             http://127.0.0.1:{aggregator}/v1/summary",
        f"  bulletin            http://127.0.0.1:{aggregator}/v1/bulletin?lang=zh",
        "  demo unit's token   .run/demo-token   (SAFETYWATCH_TOKEN=$(cat .run/demo-token) .venv/bin/safetywatch report FILE)",
        "  logs                .run/logs/",
        "  stop with           dev/down   (--purge also deletes the Kafka log, state and logs; never the tokens)",
    ]
    if monitoring:
        lines += [
            f"  Prometheus          {_first_page('http://127.0.0.1:9090', ('/alerts', '/classic/alerts', '/graph'))}",
            f"  Alertmanager        {_first_page('http://127.0.0.1:9093', ('/#/alerts', '/api/v2/alerts'))}"
            "   (receivers: SAFETYWATCH_WEBHOOK_URL etc., see docs/operations.md)",
        ]
    else:
        lines.append(
            "  Prometheus and Alertmanager are not installed: apt-get install prometheus prometheus-alertmanager"
        )
    print("\n".join(lines), flush=True)


def _demo_mail(area: Area) -> dict[str, str]:
    """Every receiver's address at the demo's mail sink (only where no mail server is
    configured: a bureau's own settings are never replaced)."""
    return {
        "SAFETYWATCH_SMTP_SMARTHOST": f"127.0.0.1:{MAIL_SINK_PORT}",
        "SAFETYWATCH_SMTP_FROM": "safetywatch-demo@localhost",
        "SAFETYWATCH_SMTP_REQUIRE_TLS": "false",
        **{
            f"SAFETYWATCH_EMAIL_TO_{name.upper().replace('-', '_')}": f"{name}@localhost"
            for name in receiver_names(area)
        },
    }


def _first_email() -> str | None:
    """The first message the mail sink kept, as a duty officer reads it."""
    kept = sorted(MAIL.glob("*.eml"))
    if not kept:
        return None
    message = email.message_from_bytes(kept[0].read_bytes(), policy=email.policy.default)
    part = message.get_body(("plain", "html"))
    body = "" if part is None else str(part.get_content())
    text = html.unescape(re.sub(r"<[^>]+>", "", body)).strip()
    return f"主题: {message['Subject']}\n收件人: {message['To']}\n\n{text}"


def _run_demo(
    gateway: int, aggregator: int, zone: object, token_file: Path, monitoring: bool
) -> int:
    from zoneinfo import ZoneInfo

    from safetywatch.demo import run_demo

    assert isinstance(zone, ZoneInfo)
    token = token_file.read_text().strip()
    status = run_demo(f"http://127.0.0.1:{gateway}", f"http://127.0.0.1:{aggregator}", zone, token)
    if status != 0 or not monitoring:
        return status

    def alerts() -> list[dict[str, object]]:
        found: list[dict[str, object]] = httpx.get(
            "http://127.0.0.1:9093/api/v2/alerts", timeout=5
        ).json()
        return found

    try:
        firing = wait_until(alerts, 60, "alerts to reach Alertmanager", interval=1)
    except AssertionError:
        print("up: no alert reached Alertmanager within 60 s", file=sys.stderr)
        return 1
    print("demo: alerts are firing in Alertmanager: http://127.0.0.1:9093/api/v2/alerts")
    for alert in firing:
        labels: dict[str, str] = alert["labels"]  # type: ignore[assignment]
        annotations: dict[str, str] = alert["annotations"]  # type: ignore[assignment]
        print("  -", labels.get("severity"), annotations.get("summary", "").strip())
    if MAIL.is_dir():
        try:
            first = wait_until(_first_email, 60, "the first email at the mail sink", interval=1)
        except AssertionError:
            print("up: no email reached the demo's mail sink within 60 s", file=sys.stderr)
            return 1
        print("demo: the first email, as a duty officer receives it:")
        print("\n".join(f"  {line}" for line in first.splitlines()))
        print(
            f"demo: every email is kept in {MAIL.relative_to(ROOT)}/ ({len(list(MAIL.glob('*.eml')))} so far)"
        )
    return 0


def down(purge: bool) -> int:
    for component in reversed(_components(0, 0)):
        component.stop()
    broker = Broker.from_settings(load_role(LocalSettings))
    if broker.directory.is_dir():
        broker.stop()
    if purge:
        removed = _purge(RUN)
        print(
            f"down: purged .run ({', '.join(removed) or 'nothing'}); kept what an administrator "
            f"keeps: {', '.join(sorted(KEPT_ON_PURGE))}"
        )
    return 0


#: What ``down --purge`` never deletes: the tokens an administrator made and their audit
#: log (and the demo unit's token, which is one of them).
KEPT_ON_PURGE = frozenset({"tokens.json", "tokens.json.audit.jsonl", "demo-token"})


def _purge(run: Path) -> list[str]:
    """Delete .run's scratch (the Kafka log, the aggregator's state, logs, pids) and
    return what went; keep ``KEPT_ON_PURGE``."""
    removed = []
    for child in sorted(run.iterdir()) if run.is_dir() else []:
        if child.name in KEPT_ON_PURGE:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        removed.append(child.name)
    return removed
