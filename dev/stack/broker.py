"""Apache Kafka for development and tests, fetched from Maven Central with mvn and run
with java (no Docker here): one KRaft node by default, or a cluster of three (each node
broker and controller in one JVM) that survives losing one; optionally secured as a
bureau's is (SASL_SSL with SCRAM users, ACLs by KRaft's StandardAuthorizer)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from safetywatch.config import KafkaConnectionSettings

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


#: The secured cluster's SCRAM users: the brokers' own (a super user, which the tooling
#: also creates topics and ACLs as), one per service, and one that no ACL names.
ADMIN = "admin"
USERS = (ADMIN, "gateway", "aggregator", "intruder")
MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class Node:
    """One KRaft node (broker and controller) of a local cluster."""

    node_id: int
    directory: Path
    port: int
    controller_port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.directory / "broker.pid"

    @property
    def log_file(self) -> Path:
        return self.directory / "broker.log"


class Secrets:
    """The secured cluster's certificates and passwords, in ``directory`` (0700, files
    0600): made once, kept across restarts."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def broker_pem(self) -> Path:
        return self.directory / "broker.pem"

    def password_file(self, user: str) -> Path:
        return self.directory / f"{user}.password"

    def password(self, user: str) -> str:
        return self.password_file(user).read_text().strip()

    def create(self) -> None:
        if self.broker_pem.is_file():
            return
        from dev.stack.certificates import Authority  # only a secured cluster needs it

        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        authority = Authority.create()
        authority.write_ca(self.ca_file)
        authority.issue(self.broker_pem, "kafka.safetywatch.local")
        for user in USERS:
            path = self.password_file(user)
            path.write_text(secrets.token_urlsafe(24) + "\n")
            path.chmod(0o600)

    def connection(self, bootstrap: str, user: str) -> KafkaConnectionSettings:
        return KafkaConnectionSettings.from_mapping(
            {
                "SAFETYWATCH_KAFKA_BOOTSTRAP": bootstrap,
                "SAFETYWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "SAFETYWATCH_KAFKA_SASL_MECHANISM": MECHANISM,
                "SAFETYWATCH_KAFKA_SASL_USERNAME": user,
                "SAFETYWATCH_KAFKA_SASL_PASSWORD_FILE": str(self.password_file(user)),
                "SAFETYWATCH_KAFKA_SSL_CAFILE": str(self.ca_file),
            }
        )

    def jaas(self, user: str) -> str:
        return (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{user}" password="{self.password(user)}";'
        )

    def admin_client_properties(self) -> Path:
        """What Kafka's own command-line tools connect as (the ACL tool)."""
        path = self.directory / "admin.properties"
        text = (
            "security.protocol=SASL_SSL\n"
            f"sasl.mechanism={MECHANISM}\n"
            f"sasl.jaas.config={self.jaas(ADMIN)}\n"
            "ssl.truststore.type=PEM\n"
            f"ssl.truststore.location={self.ca_file}\n"
        )
        path.write_text(text)
        path.chmod(0o600)
        return path


def _properties(node: Node, nodes: list[Node], secrets_: Secrets | None) -> str:
    size = len(nodes)
    voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in nodes)
    replicas, majority = min(3, size), min(2, size)
    listener, protocol = ("SASL_SSL", "SASL_SSL") if secrets_ else ("PLAINTEXT", "PLAINTEXT")
    text = f"""process.roles=broker,controller
node.id={node.node_id}
controller.quorum.voters={voters}
listeners={listener}://{node.address},CONTROLLER://127.0.0.1:{node.controller_port}
advertised.listeners={listener}://{node.address}
controller.listener.names=CONTROLLER
inter.broker.listener.name={listener}
listener.security.protocol.map=CONTROLLER:PLAINTEXT,{listener}:{protocol}
log.dirs={node.directory / "log"}
num.partitions=6
auto.create.topics.enable=false
default.replication.factor={replicas}
min.insync.replicas={majority}
offsets.topic.replication.factor={replicas}
transaction.state.log.replication.factor={replicas}
transaction.state.log.min.isr={majority}
share.coordinator.state.topic.replication.factor={replicas}
share.coordinator.state.topic.min.isr={majority}
group.initial.rebalance.delay.ms=0
"""
    if size > 1:
        # A dead broker is fenced, and its partitions led elsewhere, after 3 s rather
        # than the default 9 s: the local cluster shows failover at a bureau's pace.
        text += "broker.session.timeout.ms=3000\nbroker.heartbeat.interval.ms=500\n"
    if secrets_ is not None:
        # The controllers' listener stays on loopback without TLS; its peers are
        # ANONYMOUS, which must be a super user for the quorum to work.
        text += f"""sasl.enabled.mechanisms={MECHANISM}
sasl.mechanism.inter.broker.protocol={MECHANISM}
listener.name.sasl_ssl.{MECHANISM.lower()}.sasl.jaas.config={secrets_.jaas(ADMIN)}
ssl.keystore.type=PEM
ssl.keystore.location={secrets_.broker_pem}
ssl.truststore.type=PEM
ssl.truststore.location={secrets_.ca_file}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:{ADMIN};User:ANONYMOUS
allow.everyone.if.no.acl.found=false
"""
    return text


@dataclass
class Broker:
    """A local Kafka of ``brokers`` nodes in ``directory`` (node 1 in the directory
    itself, as a single broker always was; node N in ``node-N``), ``secure`` or not."""

    directory: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    cache: Path = KAFKA_DIR / ".cache"
    heap: str = "512m"
    start_timeout: float = 90.0
    brokers: int = 1
    secure: bool = False
    #: The processes this object started (then they are our children, reaped here).
    _processes: dict[int, Supervised] = field(default_factory=dict, repr=False)
    _nodes: list[Node] = field(default_factory=list, repr=False)

    @classmethod
    def from_settings(
        cls, settings: LocalSettings, brokers: int = 1, secure: bool = False
    ) -> Broker:
        """The local stack's Kafka; once made, its shape is what ``.run/kafka`` records."""
        directory = settings.kafka_dir or ROOT / ".run" / "kafka"
        shape = _recorded_shape(directory)
        return cls(
            directory,
            settings.kafka_port,
            settings.controller_port,
            settings.kafka_cache or KAFKA_DIR / ".cache",
            settings.kafka_heap,
            settings.kafka_start_timeout,
            brokers=shape.get("brokers", brokers),
            secure=shape.get("secure", secure),
        )

    def __post_init__(self) -> None:
        # Node 1 listens where the settings say; the others where they were first put.
        recorded = _recorded_shape(self.directory).get("ports", [])[1:]
        ports = [
            [self.port, self.controller_port],
            *(recorded or ([free_port(), free_port()] for _ in range(self.brokers - 1))),
        ]
        self._nodes = [
            Node(
                i + 1,
                self.directory if i == 0 else self.directory / f"node-{i + 1}",
                port,
                controller_port,
            )
            for i, (port, controller_port) in enumerate(ports)
        ]
        self.port = self._nodes[0].port

    @property
    def nodes(self) -> list[Node]:
        return list(self._nodes)

    @property
    def secrets(self) -> Secrets | None:
        return Secrets(self.directory / "secure") if self.secure else None

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self._nodes)

    def connection(self, user: str = ADMIN) -> KafkaConnectionSettings:
        """How a client connects; on a secured cluster, as ``user``."""
        if self.secrets is None:
            return KafkaConnectionSettings.from_mapping(
                {"SAFETYWATCH_KAFKA_BOOTSTRAP": self.bootstrap}
            )
        return self.secrets.connection(self.bootstrap, user)

    def node_pid(self, node: Node) -> int | None:
        process = self._processes.get(node.node_id)
        if process is not None:  # our child: a zombie is not running
            return process.process.pid if process.alive() else None
        return pid_in(node.pid_file)

    def running_pid(self) -> int | None:
        return self.node_pid(self._nodes[0])

    def _java(self, jars: Path, *arguments: str, log_file: Path) -> list[str]:
        return [
            "java",
            f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            f"-Dkafka.log.file={log_file}",
            "-cp",
            f"{jars}/*",
            *arguments,
        ]

    def _format(self, jars: Path, node: Node, properties: Path, cluster: str) -> None:
        say(
            f"formatting storage of node {node.node_id} in {node.directory / 'log'} (cluster {cluster})"
        )
        users = []
        if self.secrets is not None:
            for user in USERS:
                users += [
                    "--add-scram",
                    f"{MECHANISM}=[name={user},password={self.secrets.password(user)}]",
                ]
        self._tool(
            jars,
            "kafka.tools.StorageTool",
            ["format", f"--cluster-id={cluster}", f"--config={properties}", *users],
            node.directory / "format.log",
            "formatting the storage",
        )

    def _tool(
        self, jars: Path, main_class: str, arguments: list[str], log_file: Path, doing: str
    ) -> None:
        """Run one of Kafka's command-line tools; InfrastructureError with its output."""
        command = self._java(jars, main_class, *arguments, log_file=log_file)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise InfrastructureError(f"{doing} failed:\n{result.stdout}{result.stderr}")

    def _prepare(self) -> Path:
        """Jars fetched, secrets made, every node's properties written and storage
        formatted (once, with one cluster id); the shape recorded."""
        if _java_major() < 17:
            raise InfrastructureError(f"Kafka {kafka_version()} needs Java 17 or newer")
        jars = fetch(self.cache)
        shape = _recorded_shape(self.directory)
        if shape and (shape["brokers"], shape["secure"]) != (self.brokers, self.secure):
            raise InfrastructureError(
                f"{self.directory} holds a Kafka of {shape['brokers']} broker(s), "
                f"{'secured' if shape['secure'] else 'not secured'}; stop it and delete it "
                "(dev/down --purge) to start another shape"
            )
        if self.secrets is not None:
            self.secrets.create()
        cluster = shape.get("cluster") or base64.urlsafe_b64encode(
            uuid.uuid4().bytes
        ).decode().rstrip("=")
        for node in self._nodes:
            (node.directory / "log").mkdir(parents=True, exist_ok=True)
            properties = node.directory / "server.properties"
            properties.write_text(_properties(node, self._nodes, self.secrets))
            if self.secrets is not None:
                properties.chmod(0o600)  # it holds the brokers' own password
            if not (node.directory / "log" / "meta.properties").is_file():
                self._format(jars, node, properties, cluster)
        record = {
            "brokers": self.brokers,
            "secure": self.secure,
            "cluster": cluster,
            "ports": [[n.port, n.controller_port] for n in self._nodes],
        }
        (self.directory / "cluster.json").write_text(json.dumps(record) + "\n")
        return jars

    def start(self) -> None:
        """Fetch, format once, start every node detached, and return once all are ready."""
        jars = self._prepare()
        waiting = []
        for node in self._nodes:
            if (pid := self.node_pid(node)) is not None:
                say(f"node {node.node_id} already running (pid {pid}) on {node.address}")
                continue
            waiting.append(self._launch(jars, node))
        for node, process in waiting:
            self._wait_started(node, process)
        kind = f"{self.brokers} brokers" if self.brokers > 1 else "broker"
        security = ", SASL_SSL with ACLs" if self.secure else ""
        say(f"ready: {kind} on {self.bootstrap}{security}")

    def start_node(self, node: Node) -> None:
        """Start one node again (after ``kill``/``stop_node``) and wait until it is ready."""
        jars = fetch(self.cache)
        self._wait_started(*self._launch(jars, node))

    def _launch(self, jars: Path, node: Node) -> tuple[Node, Supervised]:
        if port_in_use(node.port):
            raise InfrastructureError(
                f"port {node.port} is taken by another process; set SAFETYWATCH_KAFKA_PORT"
            )
        say(
            f"starting node {node.node_id} on {node.address} (controller :{node.controller_port}), log {node.log_file}"
        )
        # Each start's log from its own beginning: readiness is read from it.
        node.log_file.unlink(missing_ok=True)
        command = [
            "java",
            "-Xms256m",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            *self._java(
                jars,
                "kafka.Kafka",
                str(node.directory / "server.properties"),
                log_file=node.log_file,
            )[1:],
        ]
        process = Supervised.start(
            f"kafka-{node.node_id}", command, node.directory / "broker.out", detach=True
        )
        node.pid_file.write_text(str(process.process.pid))
        self._processes[node.node_id] = process
        return node, process

    def _wait_started(self, node: Node, process: Supervised) -> None:
        def started() -> bool:
            if not process.alive():
                raise InfrastructureError(
                    f"node {node.node_id} exited during start-up: {_first_error(node.log_file)}"
                    f"\n{process.log()}"
                )
            return port_in_use(node.port) and "Kafka Server started" in node.log_file.read_text(
                errors="replace"
            )

        try:
            wait_until(started, self.start_timeout, f"node {node.node_id} to start", interval=0.3)
        except AssertionError:
            self.stop()
            raise InfrastructureError(
                f"node {node.node_id} not ready after {self.start_timeout:g} s:\n{tail(node.log_file)}"
            ) from None

    def kill(self, node: Node) -> None:
        """SIGKILL: a node lost as a machine is lost, with no controlled shutdown."""
        pid = self.node_pid(node)
        if pid is None:
            raise InfrastructureError(f"node {node.node_id} is not running")
        say(f"killing node {node.node_id} (pid {pid})")
        process = self._processes.get(node.node_id)
        if process is not None:
            process.stop(signal.SIGKILL, timeout=30)
        else:
            stop_pid(pid, timeout=30, sig=signal.SIGKILL)
        node.pid_file.unlink(missing_ok=True)

    def stop_node(self, node: Node) -> None:
        pid = self.node_pid(node)
        if pid is None:
            return
        say(f"stopping node {node.node_id} (pid {pid})")
        process = self._processes.get(node.node_id)
        if process is not None and process.process.pid == pid:
            process.stop(timeout=30)
        else:
            stop_pid(pid, timeout=30)
        node.pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if all(self.node_pid(node) is None for node in self._nodes):
            say("not running")
        for node in self._nodes:
            self.stop_node(node)
        say("stopped")

    def grant(self, topic: str) -> None:
        """The services' ACLs on ``topic``: the gateway writes it, the aggregator reads it
        (both may describe it); no-one else gets anything."""
        if self.secrets is None:
            return
        jars = fetch(self.cache)
        config = self.secrets.admin_client_properties()
        for user, operations in (
            ("gateway", ("Write", "Describe")),
            ("aggregator", ("Read", "Describe")),
        ):
            arguments = [
                f"--bootstrap-server={self._nodes[0].address}",
                f"--command-config={config}",
                "--add",
                f"--allow-principal=User:{user}",
                *(f"--operation={operation}" for operation in operations),
                f"--topic={topic}",
            ]
            doing = f"granting {user} {'/'.join(operations)} on {topic}"
            self._tool(
                jars,
                "org.apache.kafka.tools.AclCommand",
                arguments,
                self.directory / "acl.log",
                doing,
            )
        say(f"ACLs on {topic}: User:gateway Write, User:aggregator Read, both Describe")


def _first_error(log: Path) -> str:
    """The broker's first ERROR and the exception under it, not its shutdown chatter."""
    lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    for number, line in enumerate(lines):
        if " ERROR " in line:
            return "\n".join(lines[number : number + 2])
    return tail(log)


def _recorded_shape(directory: Path) -> dict[str, Any]:
    try:
        shape: dict[str, Any] = json.loads((directory / "cluster.json").read_text())
    except (OSError, ValueError):
        return {}
    return shape
