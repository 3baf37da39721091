"""Issue 27: the pipeline on a secured broker (SASL_SSL, SCRAM users, KRaft's
StandardAuthorizer ACLs), each service as its own principal; and each way a connection
can be refused gives one line naming the setting, with no secret anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka.errors import ClusterAuthorizationFailedError, TopicAuthorizationFailedError

from dev.stack import Broker, InfrastructureError, produce_raw, read_topic, wait_until
from dev.stack.certificates import Authority
from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka import KafkaAccessRefused, TopicSpec, ensure_topic, verify_access
from tests.integration.checks import post, wait_until_read
from tests.integration.harness import Services
from tests.reports import report

pytestmark = pytest.mark.integration

TOPIC = "safetywatch.incidents.v1"


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    broker = Broker(tmp_path_factory.mktemp("secured"), secure=True)
    try:
        broker.start()
        asyncio.run(ensure_topic(broker.connection(), TopicSpec(TOPIC)))
        broker.grant(TOPIC)
    except InfrastructureError as error:
        pytest.fail(str(error), pytrace=False)
    yield broker
    broker.stop()


def passwords(broker: Broker) -> list[str]:
    assert broker.secrets is not None
    return [broker.secrets.password(user) for user in ("admin", "gateway", "aggregator")]


def refused_start(runner: Services, **variables: str) -> str:
    """Start a gateway that must refuse to start: its exit status 2 and its output."""
    environment: dict[str, Any] = dict(variables)
    service = runner.start("gateway", wait=False, **environment)
    wait_until(lambda: service.process.poll() is not None, 60, "the gateway to stop")
    assert service.process.returncode == 2, service.log()
    return service.log_path.read_text(errors="replace")


def assert_one_line(output: str, *expected: str) -> None:
    """The refusal is one sentence (under the configuration errors' heading when it is
    one of those), no traceback."""
    assert "Traceback" not in output
    said = [line for line in output.splitlines() if line and not line.startswith("{")]
    said = [line for line in said if not line.startswith("kafka:")]
    if said and said[0] == "safetywatch: invalid configuration:":
        said = said[1:]
    assert len(said) == 1, output
    for text in expected:
        assert text in said[0], said[0]


def test_the_pipeline_runs_secured_each_service_as_its_own_principal(
    secured: Broker, tmp_path: Path
):
    runner = Services(secured.connection("gateway"), TOPIC, tmp_path)
    try:
        gateway = runner.start("gateway")
        aggregator = runner.start("aggregator", kafka=secured.connection("aggregator"))
        for n in range(12):
            assert post(gateway, report(f"520201-S{n}", deaths=1)).status_code == 202
        wait_until_read(aggregator, 12)
        logged = read_topic(secured.connection("aggregator"), TOPIC)
        assert len(logged) == 12
        scrapes = "".join(httpx.get(f"{s.url}/metrics", timeout=10).text for s in runner.started)
        for secret in passwords(secured):
            for service in runner.started:
                assert secret not in service.log_path.read_text(errors="replace")
            assert secret not in scrapes
        assert "SASL_SSL, SCRAM-SHA-512 as gateway" in gateway.log_path.read_text()
    finally:
        runner.close()


def test_the_broker_refuses_what_a_principal_is_not_granted(secured: Broker):
    with pytest.raises((ClusterAuthorizationFailedError, TopicAuthorizationFailedError)):
        produce_raw(secured.connection("aggregator"), TOPIC, [(b"k", b"{}")])
    with pytest.raises(TopicAuthorizationFailedError):
        read_topic(secured.connection("gateway"), TOPIC)
    with pytest.raises((ClusterAuthorizationFailedError, TopicAuthorizationFailedError)):
        produce_raw(secured.connection("intruder"), TOPIC, [(b"k", b"{}")])


def test_a_wrong_password_stops_start_up_in_one_line_without_the_password(
    secured: Broker, tmp_path: Path
):
    wrong = tmp_path / "wrong.password"
    wrong.write_text("not-the-password\n")
    runner = Services(secured.connection("gateway"), TOPIC, tmp_path)
    output = refused_start(runner, SAFETYWATCH_KAFKA_SASL_PASSWORD_FILE=str(wrong))
    assert_one_line(
        output,
        "SAFETYWATCH_KAFKA_SASL_PASSWORD: the broker at 127.0.0.1:",
        "refused user 'gateway' (SCRAM-SHA-512): wrong username or password",
    )
    assert "not-the-password" not in output
    for secret in passwords(secured):
        assert secret not in output


def test_an_untrusted_certificate_stops_start_up_in_one_line(secured: Broker, tmp_path: Path):
    stranger = Authority.create("a stranger's CA").write_ca(tmp_path / "stranger.pem")
    runner = Services(secured.connection("gateway"), TOPIC, tmp_path)
    output = refused_start(runner, SAFETYWATCH_KAFKA_SSL_CAFILE=str(stranger))
    assert_one_line(
        output, "SAFETYWATCH_KAFKA_SSL_CAFILE: the broker at 127.0.0.1:", "is not trusted"
    )


def test_a_principal_no_acl_names_stops_start_up_in_one_line(secured: Broker, tmp_path: Path):
    runner = Services(secured.connection("intruder"), TOPIC, tmp_path)
    output = refused_start(runner)
    assert_one_line(
        output,
        "SAFETYWATCH_KAFKA_SASL_USERNAME: User:intruder may not use topic",
        "no ACL allows it",
    )


def test_a_missing_file_is_named_before_anything_connects(secured: Broker, tmp_path: Path):
    runner = Services(secured.connection("gateway"), TOPIC, tmp_path)
    output = refused_start(runner, SAFETYWATCH_KAFKA_SSL_CAFILE=str(tmp_path / "absent.pem"))
    assert_one_line(output, "SAFETYWATCH_KAFKA_SSL_CAFILE: no such file")


def test_a_certificate_that_has_expired_is_refused(tmp_path: Path):
    """Kafka checks its own certificate only when it starts (it will not start with an
    expired one); a certificate that expires while the broker runs is what a client
    meets. That broker is played by a TLS listener presenting an expired certificate:
    the refusal is the client's own, which is what is tested."""
    authority = Authority.create()
    ca = authority.write_ca(tmp_path / "ca.pem")
    expired = authority.issue(tmp_path / "expired.pem", "kafka.safetywatch.local", expired=True)
    broker = Broker(tmp_path / "expired", secure=True)
    assert broker.secrets is not None
    broker.secrets.create()
    shutil.copy(ca, broker.secrets.ca_file)
    shutil.copy(expired, broker.secrets.broker_pem)
    with pytest.raises(InfrastructureError, match="validity check failed"):
        broker.start()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(expired)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            connection, _ = listener.accept()
            with contextlib.suppress(OSError), context.wrap_socket(connection, server_side=True):
                pass

        threading.Thread(target=serve, daemon=True).start()
        settings = KafkaConnectionSettings.from_mapping(
            {
                "SAFETYWATCH_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
                "SAFETYWATCH_KAFKA_SECURITY_PROTOCOL": "SSL",
                "SAFETYWATCH_KAFKA_SSL_CAFILE": str(ca),
            }
        )
        with pytest.raises(KafkaAccessRefused) as refused:
            asyncio.run(verify_access(settings, TOPIC))
    assert str(refused.value) == (
        f"environment: SAFETYWATCH_KAFKA_SSL_CAFILE: the broker at 127.0.0.1:{port} presented a "
        "certificate that is not trusted (certificate has expired); give the CA that signed it"
    )


def test_the_tooling_names_a_refusal_too(secured: Broker, tmp_path: Path):
    """`safetywatch topic ensure` as the gateway's principal: Kafka refuses the topic's
    creation and the one line says so."""
    import subprocess
    import sys

    from tests.paths import ROOT

    env = {
        **os.environ,
        **secured.connection("gateway").environment(),
        "SAFETYWATCH_TOPIC": "t.new",
    }
    result = subprocess.run(
        [sys.executable, "-m", "safetywatch", "topic", "ensure"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.strip().splitlines()
        == ["safetywatch topic ensure: Kafka refused to create t.new: 29"]
        or "refused to create t.new" in result.stderr
    ), result.stderr
