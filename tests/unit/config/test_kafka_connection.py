"""The Kafka connection settings (issue 27): every client connects the same way, and a
setting that cannot work stops start-up with one line naming it, never its secret."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from safetywatch.config import ConfigError, KafkaConnectionSettings
from safetywatch.kafka import client_options

SECRET = "correct-horse-battery-staple"


def connection(**variables: str) -> KafkaConnectionSettings:
    names = KafkaConnectionSettings.variables()
    return KafkaConnectionSettings.from_mapping(
        {names[name]: value for name, value in variables.items()}
    )


def refusal(**variables: str) -> str:
    with pytest.raises(ConfigError) as refused:
        connection(**variables)
    message = str(refused.value)
    assert SECRET not in message
    assert "Traceback" not in message
    return message


def test_plaintext_is_the_default_and_takes_no_credentials():
    plain = connection()
    assert client_options(plain) == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }
    assert plain.described() == "127.0.0.1:9092 (PLAINTEXT)"


def test_sasl_ssl_gives_every_client_the_mechanism_the_user_and_a_verifying_context(
    tmp_path: Path,
):
    password_file = tmp_path / "password"
    password_file.write_text(SECRET + "\n")
    secured = connection(
        bootstrap="k1:9093,k2:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_username="gateway",
        sasl_password_file=str(password_file),
    )
    options = client_options(secured)
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert options["sasl_plain_username"] == "gateway"
    assert options["sasl_plain_password"] == SECRET  # read from the file, newline dropped
    context = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert secured.principal == "User:gateway"
    assert SECRET not in secured.described()
    assert SECRET not in repr(secured)
    assert "SCRAM-SHA-256 as gateway" in secured.described()


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"security_protocol": "TLS"}, "SAFETYWATCH_KAFKA_SECURITY_PROTOCOL"),
        ({"sasl_mechanism": "GSSAPI"}, "SAFETYWATCH_KAFKA_SASL_MECHANISM"),
        (
            {"security_protocol": "SASL_SSL", "sasl_password": SECRET},
            "SAFETYWATCH_KAFKA_SASL_USERNAME is required with "
            "SAFETYWATCH_KAFKA_SECURITY_PROTOCOL=SASL_SSL",
        ),
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_username": "gateway"},
            "exactly one of SAFETYWATCH_KAFKA_SASL_PASSWORD and "
            "SAFETYWATCH_KAFKA_SASL_PASSWORD_FILE",
        ),
        ({"ssl_cafile": "/nonexistent/ca.pem"}, "SAFETYWATCH_KAFKA_SSL_CAFILE: no such file"),
        (
            {"sasl_password_file": "/nonexistent/password"},
            "SAFETYWATCH_KAFKA_SASL_PASSWORD_FILE: no such file",
        ),
    ],
)
def test_a_setting_that_cannot_work_is_named_in_one_line(variables: dict[str, str], named: str):
    message = refusal(**variables)
    assert named in message
    assert len(message.splitlines()) == 2  # the heading and the one problem


def test_a_certificate_without_its_key_is_refused(tmp_path: Path):
    certificate = tmp_path / "client.pem"
    certificate.write_text("x")
    message = refusal(ssl_certfile=str(certificate))
    assert "SAFETYWATCH_KAFKA_SSL_CERTFILE and SAFETYWATCH_KAFKA_SSL_KEYFILE go together" in message


def test_a_ca_file_that_is_not_pem_is_named_when_the_client_is_made(tmp_path: Path):
    from safetywatch.kafka import KafkaAccessRefused

    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate")
    secured = connection(security_protocol="SSL", ssl_cafile=str(not_pem))
    with pytest.raises(KafkaAccessRefused, match="SAFETYWATCH_KAFKA_SSL_CAFILE: not a PEM"):
        client_options(secured)


def test_the_environment_given_to_a_service_carries_the_connection_exactly(tmp_path: Path):
    secured = connection(
        security_protocol="SASL_SSL", sasl_username="aggregator", sasl_password=SECRET
    )
    assert KafkaConnectionSettings.from_mapping(secured.environment()) == secured
