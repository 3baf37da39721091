"""Gateway and aggregator processes for the integration tests, on the real broker."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dev.settings import service_environment
from dev.stack import LoggedRecord, Supervised, free_port
from safetywatch.config import KafkaConnectionSettings
from safetywatch.events.confirmation import ConfirmationRecord
from safetywatch.events.decode import Rejection, decode_record
from safetywatch.events.report import IncidentRecord
from safetywatch.units.tokens import add_token
from tests.paths import ROOT


@dataclass
class Service:
    kind: str
    url: str
    supervised: Supervised
    token: str = ""

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.supervised.process

    @property
    def log_path(self) -> Path:
        return self.supervised.log_path

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header of the unit this gateway knows (all of province 52)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def log(self) -> str:
        return self.supervised.log()

    def wait_ready(self, timeout: float = 60) -> None:
        self.supervised.wait_ready(f"{self.url}/readyz", timeout)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        return self.supervised.stop(sig)


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


class Services:
    """Starts gateway and aggregator processes as dev/up does."""

    def __init__(self, kafka: KafkaConnectionSettings, topic: str, directory: Path) -> None:
        self.kafka = kafka
        self.topic = topic
        self.directory = directory
        self.started: list[Service] = []
        self.tokens_file = directory / "tokens.json"
        self.token = add_token(self.tokens_file, "test-unit", ["52"])

    def start(
        self,
        kind: str,
        wait: bool = True,
        ready_timeout: float = 60,
        file_size_limit: int | None = None,
        kafka: KafkaConnectionSettings | None = None,
        **env: str,
    ) -> Service:
        """Start a service process. ``file_size_limit`` sets its RLIMIT_FSIZE (soft): a
        write beyond it fails as on a full disk, until the limit is lifted with prlimit
        (the log then goes through a pipe, which the limit does not bind)."""
        port = int(env.get(f"SAFETYWATCH_{kind.upper()}_PORT") or free_port())
        environment = {
            **service_environment(os.environ),
            # Each service may connect as its own principal (a secured cluster).
            **(kafka or self.kafka).environment(),
            "SAFETYWATCH_TOPIC": self.topic,
            f"SAFETYWATCH_{kind.upper()}_PORT": str(port),
            "SAFETYWATCH_TOKENS_FILE": str(self.tokens_file),
            **env,
        }
        supervised = Supervised.start(
            kind,
            [sys.executable, "-m", "safetywatch", kind],
            self.directory / f"{kind}-{len(self.started)}.log",
            environment,
            cwd=ROOT,
            preexec=None if file_size_limit is None else _file_size_limit(file_size_limit),
            through_pipe=file_size_limit is not None,
        )
        token = self.token if kind == "gateway" else ""
        service = Service(kind, f"http://127.0.0.1:{port}", supervised, token)
        self.started.append(service)
        if wait:
            service.wait_ready(ready_timeout)
        return service

    def close(self) -> None:
        for service in self.started:
            service.stop()


def records_of(logged: Iterable[LoggedRecord]) -> list[IncidentRecord]:
    """The valid incident records of a log, each incident's in log order, as pydantic
    records (the reference model's input) whichever way the aggregator decoded them."""
    return [
        IncidentRecord.model_validate_json(item.value or b"")
        for item in logged
        if not isinstance(decode_record(item.key, item.value), Rejection | ConfirmationRecord)
    ]
