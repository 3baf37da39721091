"""A single-node Apache Kafka (KRaft, broker and controller in one JVM) for development
and tests, fetched from Maven Central with mvn and run with java: no Docker here."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dev.paths import ROOT
from dev.settings import LocalSettings
from dev.stack.polling import wait_until
from dev.stack.processes import (
    InfrastructureError,
    Supervised,
    free_port,
    pid_in,
    port_in_use,
    stop_pid,
    tail,
)

KAFKA_DIR = ROOT / "dev" / "kafka"
POM = KAFKA_DIR / "pom.xml"
LOG_CONFIG = KAFKA_DIR / "log4j2.properties"


def say(message: str) -> None:
    print(f"kafka: {message}", file=sys.stderr, flush=True)


def kafka_version() -> str:
    found = re.search(r"<kafka.version>(.+?)</kafka.version>", POM.read_text("utf-8"))
    if found is None:
        raise InfrastructureError(f"{POM} names no kafka.version")
    return found[1]


def _java_major() -> int:
    if shutil.which("java") is None:
        raise InfrastructureError(
            "java not found. Install Java 17 or newer, e.g. 'apt-get install openjdk-17-jre-headless'."
        )
    shown = subprocess.run(
        ["java", "-XshowSettings:properties", "-version"], capture_output=True, text=True
    ).stderr
    found = re.search(r"java\.specification\.version = (\d+)", shown)
    return int(found[1]) if found else 0


def fetch(cache: Path) -> Path:
    """The pinned Kafka jars, fetched into ``cache`` once; their directory."""
    version = kafka_version()
    jars = cache / f"kafka-{version}"
    if (jars / ".complete").is_file():
        return jars
    if shutil.which("mvn") is None:
        raise InfrastructureError(
            "mvn not found: it fetches Kafka from Maven Central. Install Maven, e.g. 'apt-get install maven'."
        )
    say(
        f"fetching Apache Kafka {version} and its runtime dependencies from Maven Central into {jars}"
    )
    partial = jars.with_name(jars.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [
        "mvn",
        "-B",
        "-q",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={partial}",
    ]
    if subprocess.run(command, stdout=sys.stderr).returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise InfrastructureError(f"mvn could not fetch org.apache.kafka:kafka_2.13:{version}")
    (partial / ".complete").touch()
    shutil.rmtree(jars, ignore_errors=True)
    partial.rename(jars)
    say(f"cached {len(list(jars.glob('*.jar')))} jars in {jars}")
    return jars


def _properties(data: Path, port: int, controller_port: int) -> str:
    return f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data / "log"}
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
"""


@dataclass
class Broker:
    """One broker in its own directory (data, logs, pid file)."""

    directory: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    cache: Path = KAFKA_DIR / ".cache"
    heap: str = "512m"
    start_timeout: float = 90.0
    #: The process when this object started it (then it is our child, and reaped here).
    _process: Supervised | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: LocalSettings) -> Broker:
        return cls(
            settings.kafka_dir or ROOT / ".run" / "kafka",
            settings.kafka_port,
            settings.controller_port,
            settings.kafka_cache or KAFKA_DIR / ".cache",
            settings.kafka_heap,
            settings.kafka_start_timeout,
        )

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def _pid_file(self) -> Path:
        return self.directory / "broker.pid"

    def running_pid(self) -> int | None:
        if self._process is not None:  # our child: a zombie is not running
            return self._process.process.pid if self._process.alive() else None
        return pid_in(self._pid_file)

    def _java(self, jars: Path, *arguments: str, log_file: Path) -> list[str]:
        return [
            "java",
            f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            f"-Dkafka.log.file={log_file}",
            "-cp",
            f"{jars}/*",
            *arguments,
        ]

    def _format(self, jars: Path, properties: Path) -> None:
        cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        say(f"formatting storage in {self.directory / 'log'} (cluster {cluster})")
        command = self._java(
            jars,
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={cluster}",
            f"--config={properties}",
            log_file=self.directory / "format.log",
        )
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise InfrastructureError(
                f"formatting the storage failed:\n{result.stdout}{result.stderr}"
            )

    def start(self) -> None:
        """Fetch, format once, start detached, and return once it is ready."""
        if _java_major() < 17:
            raise InfrastructureError(f"Kafka {kafka_version()} needs Java 17 or newer")
        jars = fetch(self.cache)
        if (pid := self.running_pid()) is not None:
            say(f"already running (pid {pid}) on {self.bootstrap}")
            return
        if port_in_use(self.port):
            raise InfrastructureError(
                f"port {self.port} is taken by another process; set SAFETYWATCH_KAFKA_PORT"
            )
        (self.directory / "log").mkdir(parents=True, exist_ok=True)
        properties = self.directory / "server.properties"
        properties.write_text(_properties(self.directory, self.port, self.controller_port))
        if not (self.directory / "log" / "meta.properties").is_file():
            self._format(jars, properties)
        say(
            f"starting broker on {self.bootstrap} (controller :{self.controller_port}), log {self.directory / 'broker.log'}"
        )
        command = [
            "java",
            "-Xms256m",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            *self._java(
                jars, "kafka.Kafka", str(properties), log_file=self.directory / "broker.log"
            )[1:],
        ]
        process = Supervised.start("kafka", command, self.directory / "broker.out", detach=True)
        self._pid_file.write_text(str(process.process.pid))
        self._process = process
        self._wait_started(process)
        say(f"ready on {self.bootstrap} (pid {process.process.pid})")

    def _wait_started(self, process: Supervised) -> None:
        log = self.directory / "broker.log"

        def started() -> bool:
            if not process.alive():
                raise InfrastructureError(
                    f"broker exited during start-up:\n{tail(log)}\n{process.log()}"
                )
            return port_in_use(self.port) and "Kafka Server started" in log.read_text(
                errors="replace"
            )

        try:
            wait_until(started, self.start_timeout, "the broker to start", interval=0.3)
        except AssertionError:
            self.stop()
            raise InfrastructureError(
                f"broker not ready after {self.start_timeout:g} s:\n{tail(log)}"
            ) from None

    def stop(self) -> None:
        pid = self.running_pid()
        if pid is None:
            say("not running")
        else:
            say(f"stopping broker (pid {pid})")
            if self._process is not None and self._process.process.pid == pid:
                self._process.stop(timeout=30)
            else:
                stop_pid(pid, timeout=30)
            say("stopped")
        self._pid_file.unlink(missing_ok=True)
