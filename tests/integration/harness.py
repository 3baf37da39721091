"""Real infrastructure for integration tests: the project's Kafka broker and service processes."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from safetywatch.aggregator import Rejection, decode_record
from safetywatch.events import IncidentRecord
from safetywatch.units import add_token
from tests.polling import wait_until

ROOT = Path(__file__).resolve().parents[2]
BROKER_SCRIPT = ROOT / "deploy" / "kafka" / "broker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} does not exist)"


class InfrastructureError(Exception):
    """A real service the tests need could not be started: a failure, never a skip."""


@dataclass
class Broker:
    """A single-node Kafka started with deploy/kafka/broker in its own directory."""

    directory: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self, action: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "SAFETYWATCH_KAFKA_DIR": str(self.directory),
            "SAFETYWATCH_KAFKA_PORT": str(self.port),
            "SAFETYWATCH_KAFKA_CONTROLLER_PORT": str(self.controller_port),
        }
        return subprocess.run(
            [str(BROKER_SCRIPT), action], env=env, capture_output=True, text=True, timeout=300
        )

    def start(self) -> None:
        result = self._run("start")
        if result.returncode != 0:
            raise InfrastructureError(
                f"Kafka did not start (deploy/kafka/broker start exited {result.returncode}):\n"
                f"{result.stderr}\n--- broker log ---\n{tail(self.directory / 'broker.log')}"
            )

    def stop(self) -> None:
        self._run("stop")


@dataclass
class Service:
    kind: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header of the unit this gateway knows (all of province 52)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def log(self) -> str:
        return tail(self.log_path)

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise InfrastructureError(
                    f"{self.kind} exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_until(ready, timeout, f"{self.kind} at {self.url} to be ready")
        except AssertionError as error:
            raise InfrastructureError(f"{error}\n{self.log()}") from None

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _copy(process: subprocess.Popen[bytes], log_path: Path) -> None:
    assert process.stdout is not None
    with log_path.open("wb") as log:
        for line in process.stdout:
            log.write(line)
            log.flush()


class Services:
    """Starts gateway and aggregator processes exactly as deploy/local/up does."""

    def __init__(self, bootstrap: str, topic: str, directory: Path) -> None:
        self.bootstrap = bootstrap
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
        **env: str,
    ) -> Service:
        """Start a service process. ``file_size_limit`` sets its RLIMIT_FSIZE (soft): a
        write beyond it fails as on a full disk, until the limit is lifted with prlimit
        (the log then goes through a pipe, which the limit does not bind)."""
        port = int(env.get(f"SAFETYWATCH_{kind.upper()}_PORT") or free_port())
        log_path = self.directory / f"{kind}-{len(self.started)}.log"
        environment = {
            **os.environ,
            "SAFETYWATCH_KAFKA_BOOTSTRAP": self.bootstrap,
            "SAFETYWATCH_TOPIC": self.topic,
            f"SAFETYWATCH_{kind.upper()}_PORT": str(port),
            "SAFETYWATCH_TOKENS_FILE": str(self.tokens_file),
            **env,
        }
        command = [sys.executable, "-m", "safetywatch", kind]
        if file_size_limit is None:
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command, env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
                )
        else:
            process = subprocess.Popen(
                command,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                preexec_fn=lambda: resource.setrlimit(
                    resource.RLIMIT_FSIZE, (file_size_limit, resource.RLIM_INFINITY)
                ),
            )
            threading.Thread(target=_copy, args=(process, log_path), daemon=True).start()
        token = self.token if kind == "gateway" else ""
        service = Service(kind, f"http://127.0.0.1:{port}", process, log_path, token)
        self.started.append(service)
        if wait:
            service.wait_ready(ready_timeout)
        return service

    def close(self) -> None:
        for service in self.started:
            service.stop()


def metric_samples(
    text: str, prefix: str = "safetywatch_"
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith(prefix):
                samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample(
    samples: Mapping[tuple[str, frozenset[tuple[str, str]]], float], metric: str, /, **labels: str
) -> float | None:
    return samples.get((metric, frozenset(labels.items())))


async def _end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(topic, n) for n in cluster.partitions_for_topic(topic)]
        offsets = await consumer.end_offsets(partitions)
        return {tp.partition: offset for tp, offset in offsets.items()}
    finally:
        await consumer.stop()


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """How many records each partition of the topic holds."""
    return asyncio.run(_end_offsets(bootstrap, topic))


Pair = tuple[bytes | None, bytes | None]


async def _produce(bootstrap: str, topic: str, records: Iterable[Pair]) -> int:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        max_batch_size=512 * 1024,
    )
    await producer.start()
    try:
        deliveries = [await producer.send(topic, value, key=key) for key, value in records]
        await asyncio.gather(*deliveries)
        return len(deliveries)
    finally:
        await producer.stop()


def produce_raw(bootstrap: str, topic: str, records: Iterable[Pair]) -> int:
    """Write records straight into the topic, bypassing the gateway; in order per key."""
    return asyncio.run(_produce(bootstrap, topic, records))


@dataclass(frozen=True)
class LoggedRecord:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


async def _read_topic(bootstrap: str, topic: str) -> list[LoggedRecord]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        numbers = sorted(cluster.partitions_for_topic(topic))
        partitions = [TopicPartition(topic, n) for n in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[LoggedRecord] = []
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for tp, messages in batches.items():
                records.extend(
                    LoggedRecord(tp.partition, m.offset, m.key, m.value) for m in messages
                )
        return records
    finally:
        await consumer.stop()


def read_topic(bootstrap: str, topic: str) -> list[LoggedRecord]:
    """Every record in the topic, partition by partition in offset order."""
    return asyncio.run(_read_topic(bootstrap, topic))


def records_of(logged: Iterable[LoggedRecord]) -> list[IncidentRecord]:
    """The valid incident records of a log, each incident's in log order, as pydantic
    records (the reference model's input) whichever way the aggregator decoded them."""
    return [
        IncidentRecord.model_validate_json(item.value or b"")
        for item in logged
        if not isinstance(decode_record(item.key, item.value), Rejection)
    ]
