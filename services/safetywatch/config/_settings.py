"""Process settings from ``SAFETYWATCH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from safetywatch.config._errors import describe_errors

ENV_PREFIX = "SAFETYWATCH_"

Port = Annotated[int, Field(ge=1, le=65535)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    kafka_bootstrap: str = "127.0.0.1:9092"
    topic: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,249}$")] = "safetywatch.incidents.v1"
    config_file: Path | None = None

    gateway_host: str = "127.0.0.1"
    gateway_port: Port = 8080
    aggregator_host: str = "127.0.0.1"
    aggregator_port: Port = 9108
    #: Where the aggregator keeps the bodies of applied records (an unlinked file that
    #: grows like the topic); the system's temporary directory when unset.
    state_dir: Path | None = None

    #: How long the gateway waits for the broker's acknowledgement before answering 503.
    produce_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    retry_after_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    max_body_bytes: Annotated[int, Field(ge=1024, le=1 << 20)] = 64 * 1024
    max_batch_bytes: Annotated[int, Field(ge=1024, le=64 << 20)] = 4 << 20
    max_batch_reports: Annotated[int, Field(ge=1, le=5000)] = 500
    #: Request heads (request line and headers) beyond either limit get 431.
    max_header_bytes: Annotated[int, Field(ge=1024, le=1 << 20)] = 16 * 1024
    max_header_fields: Annotated[int, Field(ge=8, le=1000)] = 100
    #: A client that has not sent its whole body by then gets 408 (slow-loris defence).
    body_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0

    #: Field units' tokens (``safetywatch tokens``); required unless anonymous reports
    #: are explicitly allowed, which is for development only.
    tokens_file: Path | None = None
    allow_anonymous: bool = False
    #: Per-unit limit, counted in reports; a batch takes as many as it holds.
    unit_reports_per_second: Annotated[float, Field(gt=0)] = 100.0
    unit_burst: Annotated[int, Field(ge=1)] = 1000

    log_format: Literal["json", "console"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


def _env_key(loc: tuple[str | int, ...]) -> str:
    return ENV_PREFIX + str(loc[0]).upper() if loc else ENV_PREFIX + "*"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise describe_errors(error, "environment", _env_key) from None
