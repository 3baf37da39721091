"""``SAFETYWATCH_*`` environment settings, one typed class per role.

Every variable is declared here with its exact name (the field's alias), its type, its
default and a sentence; a bad value stops start-up naming the variable. The README's
configuration table is generated from these classes, and a test fails when a
``SAFETYWATCH_*`` name appears anywhere in the project without being declared.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from safetywatch import compiled
from safetywatch.config.errors import ConfigError, describe_errors

ENV_PREFIX = "SAFETYWATCH_"

Port = Annotated[int, Field(ge=1, le=65535)]
R = TypeVar("R", bound="RoleSettings")
TopicName = Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,249}$")]


def _matching(pattern: str, expected: str) -> AfterValidator:
    """A text setting that must look like ``pattern``; else one sentence of what it takes."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"expected {expected}")
        return value

    return AfterValidator(check)


#: host:port, comma-separated: what Kafka clients take.
Bootstrap = Annotated[
    str,
    _matching(
        r"[A-Za-z0-9.\[\]:_-]+:[0-9]{1,5}(,[A-Za-z0-9.\[\]:_-]+:[0-9]{1,5})*",
        "host:port, comma-separated (127.0.0.1:9092,kafka-2:9092)",
    ),
]
#: A Prometheus/Alertmanager duration with its unit (a bare 10 is refused by amtool).
Duration = Annotated[
    str, _matching(r"([0-9]+(ms|s|m|h|d|w|y))+", "a duration with its unit: 10s, 1m, 6h")
]
#: An address with its scheme, as a phone opens it from a QR code.
HttpUrl = Annotated[
    str,
    _matching(r"https?://[^\s/]+(/\S*)?", "an address with its scheme: https://sw.example.gov.cn"),
]


def env(name: str, default: Any, description: str) -> Any:
    """A field read from ``SAFETYWATCH_<name>``."""
    return Field(default, validation_alias=ENV_PREFIX + name, description=description)


class RoleSettings(BaseSettings):
    """Base of the role classes: the environment only, unknown variables ignored."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    #: Shown as the heading of the role's rows in the README table.
    role: ClassVar[str] = ""

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Field name → the variable it is read from."""
        return {name: str(field.validation_alias) for name, field in cls.model_fields.items()}

    @classmethod
    def from_mapping(cls: type[R], env: Mapping[str, str]) -> R:
        """From ``env`` alone, not the process environment (every field given)."""
        values: dict[str, Any] = {
            variable: env[variable] if variable in env else cls.model_fields[name].default
            for name, variable in cls.variables().items()
        }
        try:
            return cls(**values)
        except ValidationError as error:
            raise describe_errors(error, "environment", _env_key) from None

    def environment(self) -> dict[str, str]:
        """The variables that give these settings to another process (a service the
        tooling starts): every value that is set (an empty or absent one is the default)."""
        variables = self.variables()
        environment = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value is not None and value != "":
                environment[variables[name]] = str(value)
        return environment


def _readable_file(path: Path | None) -> Path | None:
    if path is not None and not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path


#: A file a client reads at start-up (a CA, a certificate, a key, a password); empty is
#: unset (a compose file's ``${VARIABLE:-}``).
ReadableFile = Annotated[
    Path | None, BeforeValidator(lambda value: value or None), AfterValidator(_readable_file)
]
SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class KafkaConnectionSettings(RoleSettings):
    """How every Kafka client of the project connects: the gateway, the aggregator and
    its replay reader, topic creation, the tooling and the benchmarks."""

    role = "Kafka connection (every Kafka client)"
    bootstrap: Bootstrap = env(
        "KAFKA_BOOTSTRAP",
        "127.0.0.1:9092",
        "brokers, comma-separated; set before `up` to use an existing cluster (no local broker is started)",
    )
    security_protocol: SecurityProtocol = env(
        "KAFKA_SECURITY_PROTOCOL",
        "PLAINTEXT",
        "`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL` (a bureau's cluster: `SASL_SSL`)",
    )
    sasl_mechanism: SaslMechanism = env(
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "`PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`"
    )
    sasl_username: str = env("KAFKA_SASL_USERNAME", "", "this service's principal (SASL_*)")
    sasl_password: SecretStr = env(
        "KAFKA_SASL_PASSWORD", SecretStr(""), "its password (or the next setting)"
    )
    sasl_password_file: ReadableFile = env(
        "KAFKA_SASL_PASSWORD_FILE", None, "a file holding the password (a mounted secret)"
    )
    ssl_cafile: ReadableFile = env(
        "KAFKA_SSL_CAFILE",
        None,
        "the CA that signed the brokers' certificates (PEM); the system's CAs when unset",
    )
    ssl_certfile: ReadableFile = env(
        "KAFKA_SSL_CERTFILE", None, "this client's certificate (PEM), for mutual TLS"
    )
    ssl_keyfile: ReadableFile = env("KAFKA_SSL_KEYFILE", None, "its private key (PEM)")

    @model_validator(mode="after")
    def _complete(self) -> KafkaConnectionSettings:
        name = self.variables()
        if self.uses_sasl:
            if not self.sasl_username:
                raise ValueError(
                    f"{name['sasl_username']} is required with "
                    f"{name['security_protocol']}={self.security_protocol}"
                )
            given = bool(self.sasl_password.get_secret_value()), self.sasl_password_file is not None
            if given == (False, False) or given == (True, True):
                raise ValueError(
                    f"exactly one of {name['sasl_password']} and {name['sasl_password_file']} "
                    f"is required with {name['security_protocol']}={self.security_protocol}"
                )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError(
                f"{name['ssl_certfile']} and {name['ssl_keyfile']} go together (mutual TLS)"
            )
        return self

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def principal(self) -> str:
        """Who the brokers see: what their ACLs name."""
        return f"User:{self.sasl_username}" if self.uses_sasl else "(no SASL principal)"

    def password(self) -> str:
        """The SASL password, read from its file when one is named."""
        if self.sasl_password_file is not None:
            return self.sasl_password_file.read_text("utf-8").strip()
        return self.sasl_password.get_secret_value()

    def described(self) -> str:
        """For log lines and errors: where and as whom, never the password."""
        who = f", {self.sasl_mechanism} as {self.sasl_username}" if self.uses_sasl else ""
        return f"{self.bootstrap} ({self.security_protocol}{who})"


class KafkaSettings(RoleSettings):
    role = "Kafka topic"
    topic: TopicName = env("TOPIC", "safetywatch.incidents.v1", "the incidents topic")
    replication: Annotated[int, Field(ge=1, le=10)] = env(
        "TOPIC_REPLICATION",
        1,
        "replication factor `up` creates the topic with (3 in production; a majority, 2 of 3, "
        "must acknowledge each write: `min.insync.replicas`)",
    )


class ServiceSettings(RoleSettings):
    role = "Both services"
    config_file: Path | None = env(
        "CONFIG_FILE",
        None,
        "the area YAML (regions, time zone, rules); the built-in Liupanshui when unset",
    )
    log_format: Literal["json", "console"] = env(
        "LOG_FORMAT", "json", "`json` lines, or `console` for humans"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = env("LOG_LEVEL", "INFO", "")
    max_header_bytes: Annotated[int, Field(ge=1024, le=1 << 20)] = env(
        "MAX_HEADER_BYTES", 16 * 1024, "request line and headers; beyond it 431"
    )
    max_header_fields: Annotated[int, Field(ge=8, le=1000)] = env(
        "MAX_HEADER_FIELDS", 100, "header fields per request; beyond it 431"
    )


class GatewaySettings(RoleSettings):
    role = "Ingest gateway"
    host: str = env("GATEWAY_HOST", "127.0.0.1", "address the gateway listens on")
    port: Port = env("GATEWAY_PORT", 8080, "")
    produce_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = env(
        "PRODUCE_TIMEOUT_SECONDS", 10.0, "503 when Kafka has not acknowledged by then"
    )
    retry_after_seconds: Annotated[int, Field(ge=1, le=3600)] = env(
        "RETRY_AFTER_SECONDS", 5, "`Retry-After` on 503"
    )
    max_body_bytes: Annotated[int, Field(ge=1024, le=1 << 20)] = env(
        "MAX_BODY_BYTES", 64 * 1024, "one report's body; beyond it 413"
    )
    max_batch_bytes: Annotated[int, Field(ge=1024, le=64 << 20)] = env(
        "MAX_BATCH_BYTES", 4 << 20, "a batch's body; beyond it 413"
    )
    max_batch_reports: Annotated[int, Field(ge=1, le=5000)] = env(
        "MAX_BATCH_REPORTS", 500, "reports per batch"
    )
    body_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = env(
        "BODY_TIMEOUT_SECONDS", 10.0, "a body not sent whole by then gets 408 (slow-loris defence)"
    )
    tokens_file: Path | None = env(
        "TOKENS_FILE", None, "field units' tokens (`safetywatch tokens`); required unless anonymous"
    )
    allow_anonymous: bool = env(
        "ALLOW_ANONYMOUS", False, "accept reports without a token: development only"
    )
    unit_reports_per_second: Annotated[float, Field(gt=0)] = env(
        "UNIT_REPORTS_PER_SECOND", 100.0, "per-unit rate, in reports (a batch counts each)"
    )
    unit_burst: Annotated[int, Field(ge=1)] = env("UNIT_BURST", 1000, "per-unit burst, in reports")
    import_reports_per_second: Annotated[float, Field(gt=0)] = env(
        "IMPORT_REPORTS_PER_SECOND",
        5000.0,
        "the rate of a token that may import history (`tokens add --can-import`), per unit",
    )
    import_burst: Annotated[int, Field(ge=1)] = env(
        "IMPORT_BURST", 5000, "its burst, in reports (at least a batch: 500 by default)"
    )
    public_url: HttpUrl = env(
        "PUBLIC_URL",
        "http://127.0.0.1:8080",
        "the gateway's address as phones reach it: the field app's link in a token's QR code",
    )
    aggregator_url: str = env(
        "AGGREGATOR_URL",
        "http://127.0.0.1:9108",
        "the aggregator (internal) the gateway asks before a confirmation and for units' reads",
    )


class AggregatorSettings(RoleSettings):
    role = "Aggregator"
    evaluation_interval_seconds: Annotated[float, Field(ge=0.5, le=3600)] = env(
        "EVALUATION_INTERVAL_SECONDS",
        60.0,
        "how often rules and reporting deadlines are evaluated on the clock alone",
    )
    host: str = env("AGGREGATOR_HOST", "127.0.0.1", "address of the query API and /metrics")
    port: Port = env("AGGREGATOR_PORT", 9108, "")
    state_dir: Path | None = env(
        "STATE_DIR",
        None,
        "where the record file (~0.5 GB per million reports) and the checkpoint live; "
        "unset: an unlinked file in the system's temporary directory, and no checkpoint",
    )
    checkpoint_interval_seconds: Annotated[float, Field(ge=0, le=86400)] = env(
        "CHECKPOINT_INTERVAL_SECONDS",
        600.0,
        "how often a checkpoint is written (with a state directory; also after the replay "
        "and at shutdown); 0: never",
    )
    replay_reader_min_records: Annotated[int, Field(ge=0)] = env(
        "REPLAY_READER_MIN_RECORDS",
        100_000,
        "a replay of at least this many records is fetched and checked by a second process "
        "while the aggregator applies it (it takes two cores); 0: never",
    )


class ClientSettings(RoleSettings):
    role = "Field client (`safetywatch report`)"
    gateway: str = env("GATEWAY", "http://127.0.0.1:8080", "the gateway's URL")
    token: SecretStr = env("TOKEN", SecretStr(""), "the unit's token (or `--token-file`)")
    outbox: Path | None = env(
        "OUTBOX", None, "the outbox directory (or `--outbox`); ~/.local/share/safetywatch/outbox"
    )


class NotificationSettings(RoleSettings):
    """What `safetywatch alertmanager-config` renders into the Alertmanager file. Receivers
    get only the integrations the environment provides; secrets never reach the repository."""

    role = "Notifications (`safetywatch alertmanager-config`)"
    #: Variables named per receiver: the prefix, then the receiver's name in capitals with
    #: "-" as "_" (``SAFETYWATCH_WEBHOOK_URL_COUNTY_520201``).
    PER_RECEIVER: ClassVar[dict[str, str]] = {
        "WEBHOOK_URL_": "that receiver's webhook, instead of SAFETYWATCH_WEBHOOK_URL",
        "EMAIL_TO_": "email address(es) for that receiver (needs the SMTP settings)",
        "WECHAT_TO_PARTY_": "WeChat Work party for that receiver (needs the WeChat settings)",
    }
    webhook_url: str = env(
        "WEBHOOK_URL",
        "",
        "webhook for every receiver; `{receiver}` in it becomes the receiver's name",
    )
    smtp_smarthost: str = env("SMTP_SMARTHOST", "", "host:port of the mail server")
    smtp_from: str = env("SMTP_FROM", "", "sender address")
    smtp_username: str = env("SMTP_USERNAME", "", "")
    smtp_password: SecretStr = env("SMTP_PASSWORD", SecretStr(""), "")
    dashboard_url: str = env(
        "DASHBOARD_URL", "", "the city overview dashboard's address, linked from every email"
    )
    smtp_require_tls: bool = env(
        "SMTP_REQUIRE_TLS", True, "STARTTLS before anything is sent (the password included)"
    )
    smtp_ca_file: Path | None = env(
        "SMTP_CA_FILE", None, "the CA that signed a bureau's own mail server's certificate"
    )
    wechat_corp_id: str = env("WECHAT_CORP_ID", "", "WeChat Work corporation id")
    wechat_api_secret: SecretStr = env("WECHAT_API_SECRET", SecretStr(""), "")
    wechat_agent_id: str = env("WECHAT_AGENT_ID", "", "")
    wechat_api_url: str = env("WECHAT_API_URL", "", "only for a private WeChat Work endpoint")
    group_wait: Duration = env(
        "ALERTMANAGER_GROUP_WAIT", "10s", "before a group's first notification"
    )
    group_interval: Duration = env("ALERTMANAGER_GROUP_INTERVAL", "1m", "between a group's updates")
    repeat_interval: Duration = env(
        "ALERTMANAGER_REPEAT_INTERVAL", "6h", "before repeating a notification"
    )

    def for_receiver(self, prefix: str, receiver: str, env_vars: Mapping[str, str]) -> str:
        """A per-receiver variable's value ("" when unset)."""
        key = receiver.upper().replace("-", "_")
        return env_vars.get(f"{ENV_PREFIX}{prefix}{key}", "")


class GrafanaSettings(RoleSettings):
    """Read by Grafana's provisioning (grafana/provisioning/), not by safetywatch."""

    role = "Grafana"
    prometheus_url: str = env(
        "PROMETHEUS_URL", "http://prometheus:9090", "the Prometheus the dashboards query"
    )


#: Every role of the services, in the order docs/operations.md lists them.
ROLES: tuple[type[RoleSettings], ...] = (
    KafkaConnectionSettings,
    KafkaSettings,
    ServiceSettings,
    GatewaySettings,
    AggregatorSettings,
    ClientSettings,
    NotificationSettings,
    GrafanaSettings,
)


def _env_key(loc: tuple[str | int, ...]) -> str:
    # A check across variables names them in its own sentence.
    return str(loc[0]) if loc else ""


def load_role(role: type[R]) -> R:
    """One role's settings from the environment; ConfigError naming each bad variable."""
    try:
        return role()
    except ValidationError as error:
        raise describe_errors(error, "environment", _env_key) from None


@dataclass(frozen=True)
class Settings:
    """What a service process reads: Kafka, the shared service settings and each role's."""

    connection: KafkaConnectionSettings
    kafka: KafkaSettings
    service: ServiceSettings
    gateway: GatewaySettings
    aggregator: AggregatorSettings

    @property
    def config_file(self) -> Path | None:
        return self.service.config_file


def load_settings() -> Settings:
    """Every service role at once: all bad variables are named together."""
    loaded: dict[str, RoleSettings] = {}
    problems: list[str] = []
    for name, role in (
        ("connection", KafkaConnectionSettings),
        ("kafka", KafkaSettings),
        ("service", ServiceSettings),
        ("gateway", GatewaySettings),
        ("aggregator", AggregatorSettings),
    ):
        try:
            loaded[name] = load_role(role)
        except ConfigError as error:
            problems.extend(str(error).splitlines()[1:])
    if problems:
        raise ConfigError("invalid configuration:\n" + "\n".join(problems))
    return Settings(**loaded)  # type: ignore[arg-type]


def unknown_variables(
    environ: Mapping[str, str], known: Iterable[str] = ()
) -> list[tuple[str, str | None]]:
    """``SAFETYWATCH_*`` names no role declares (besides ``known``, such as the
    development tools' own), each with the nearest declared name: a misspelt gateway
    port (``…_GATEWAY_PROT``) would otherwise be silently ignored."""
    declared = {variable for role in ROLES for variable in role.variables().values()}
    declared |= {*known, compiled.SWITCH}  # read before any setting: safetywatch/compiled.py
    prefixes = tuple(ENV_PREFIX + prefix for prefix in NotificationSettings.PER_RECEIVER)
    unknown = []
    for name in sorted(environ):
        if name.startswith(ENV_PREFIX) and name not in declared and not name.startswith(prefixes):
            nearest = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.8)
            unknown.append((name, nearest[0] if nearest else None))
    return unknown


def refuse_unknown_variables(environ: Mapping[str, str], known: Iterable[str] = ()) -> None:
    """ConfigError naming each unknown ``SAFETYWATCH_*`` name with the nearest declared
    one: what a service, ``config check`` and ``up`` say before anything starts."""
    if unknown := unknown_variables(environ, known):
        lines = [
            f"environment: {name} is unknown"
            + (f": did you mean {nearest}?" if nearest else " (not a safetywatch setting)")
            for name, nearest in unknown
        ]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
