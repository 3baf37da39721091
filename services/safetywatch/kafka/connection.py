"""One way every Kafka client of the project connects (the Kafka connection settings): the
options aiokafka's clients take, and a check at start-up that turns a refused password,
an untrusted certificate or a missing ACL into one sentence naming the setting."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any, Protocol

import structlog
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError, SaslAuthenticationFailed, TopicAuthorizationFailedError
from aiokafka.protocol.metadata import MetadataRequest

from safetywatch.kafka.errors import KafkaAccessRefused

log = structlog.get_logger("safetywatch.kafka")


class KafkaConnection(Protocol):
    """What a Kafka client needs to connect: the Kafka connection settings
    (``safetywatch.config.KafkaConnectionSettings`` is the one implementation)."""

    @property
    def bootstrap(self) -> str: ...
    @property
    def security_protocol(self) -> str: ...
    @property
    def sasl_mechanism(self) -> str: ...
    @property
    def sasl_username(self) -> str: ...
    @property
    def ssl_cafile(self) -> Path | None: ...
    @property
    def ssl_certfile(self) -> Path | None: ...
    @property
    def ssl_keyfile(self) -> Path | None: ...
    @property
    def uses_sasl(self) -> bool: ...
    @property
    def uses_tls(self) -> bool: ...
    @property
    def principal(self) -> str: ...
    def password(self) -> str: ...
    def described(self) -> str: ...
    def variables(self) -> dict[str, str]:
        """Field name → the variable it is read from (for sentences naming it)."""
        ...


def ssl_context(connection: KafkaConnection) -> ssl.SSLContext:
    """Verifies the brokers' certificates and host names; presents ours for mutual TLS."""
    names = connection.variables()
    try:
        context = ssl.create_default_context(
            cafile=str(connection.ssl_cafile) if connection.ssl_cafile else None
        )
    except ssl.SSLError as error:
        raise KafkaAccessRefused(
            f"environment: {names['ssl_cafile']}: not a PEM certificate ({error.reason})"
        ) from None
    if connection.ssl_certfile is not None and connection.ssl_keyfile is not None:
        try:
            context.load_cert_chain(str(connection.ssl_certfile), str(connection.ssl_keyfile))
        except ssl.SSLError as error:
            raise KafkaAccessRefused(
                f"environment: {names['ssl_certfile']}/{names['ssl_keyfile']}: "
                f"not a certificate and its key ({error.reason})"
            ) from None
    return context


def client_options(connection: KafkaConnection) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
    options: dict[str, Any] = {
        "bootstrap_servers": connection.bootstrap,
        "security_protocol": connection.security_protocol,
    }
    if connection.uses_tls:
        options["ssl_context"] = ssl_context(connection)
    if connection.uses_sasl:
        options["sasl_mechanism"] = connection.sasl_mechanism
        options["sasl_plain_username"] = connection.sasl_username
        options["sasl_plain_password"] = connection.password()
    return options


def _hosts(bootstrap: str) -> list[tuple[str, int]]:
    hosts = []
    for address in bootstrap.split(","):
        host, _, port = address.rpartition(":")
        hosts.append((host.strip("[]"), int(port)))
    return hosts


def _refusal(connection: KafkaConnection, address: str, error: BaseException) -> str | None:
    """The sentence for an error that retrying cannot cure; None for an unreachable broker."""
    names = connection.variables()
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"{names['ssl_cafile']}: the broker at {address} presented a certificate that is "
            f"not trusted ({error.verify_message}); give the CA that signed it"
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"{names['security_protocol']}: the TLS handshake with {address} failed "
            f"({error.reason}); check the protocol and {names['ssl_certfile']}"
        )
    if isinstance(error, SaslAuthenticationFailed):
        return (
            f"{names['sasl_password']}: the broker at {address} refused user "
            f"{connection.sasl_username!r} ({connection.sasl_mechanism}): wrong username or "
            "password"
        )
    return None


async def verify_access(
    connection: KafkaConnection, topic: str, timeout_seconds: float = 10.0
) -> bool:
    """Connect to a bootstrap broker as the services will and ask for the topic.

    KafkaAccessRefused (one sentence naming the setting) when the broker refuses: a wrong
    password, an untrusted certificate, a principal that no ACL lets see the topic.
    False when no broker answered (the caller retries as it always did); True when the
    principal may see the topic."""
    options = client_options(connection)
    for host, port in _hosts(connection.bootstrap):
        address = f"{host}:{port}"
        try:
            conn = await asyncio.wait_for(
                create_conn(
                    host,
                    port,
                    client_id="safetywatch-check",
                    request_timeout_ms=int(timeout_seconds * 1000),
                    ssl_context=options.get("ssl_context"),
                    security_protocol=connection.security_protocol,
                    sasl_mechanism=options.get("sasl_mechanism"),
                    sasl_plain_username=options.get("sasl_plain_username"),
                    sasl_plain_password=options.get("sasl_plain_password"),
                ),
                timeout_seconds,
            )
        except (OSError, KafkaError, TimeoutError) as error:
            if (sentence := _refusal(connection, address, error)) is not None:
                raise KafkaAccessRefused(f"environment: {sentence}") from None
            log.warning("kafka_unreachable", broker=address, error=type(error).__name__)
            continue
        try:
            response = await conn.send(MetadataRequest([topic], allow_auto_topic_creation=False))
        except (OSError, KafkaError, TimeoutError) as error:
            log.warning("kafka_unreachable", broker=address, error=type(error).__name__)
            continue
        finally:
            conn.close()
        for _code_and_name in response.topics:
            code, name = _code_and_name[0], _code_and_name[1]
            if name == topic and code == TopicAuthorizationFailedError.errno:
                names = connection.variables()
                raise KafkaAccessRefused(
                    f"environment: {names['sasl_username']}: {connection.principal} may not "
                    f"use topic {topic!r} on {connection.bootstrap}: no ACL allows it; an "
                    "administrator grants it (docs/operations.md, 'Pointing it at an existing "
                    "Kafka')"
                )
        return True
    return False
