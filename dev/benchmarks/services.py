"""How the benchmarks run the services: quiet, unthrottled, on the benchmark's broker."""

from __future__ import annotations

import os
from pathlib import Path

from dev.settings import service_environment
from safetywatch.config import KafkaConnectionSettings


def service_env(
    kafka: KafkaConnectionSettings, topic: str, tokens_file: Path | None = None, **settings: str
) -> dict[str, str]:
    """The environment of a gateway or aggregator process under measurement."""
    env = {
        **service_environment(os.environ),
        **kafka.environment(),
        "SAFETYWATCH_TOPIC": topic,
        "SAFETYWATCH_LOG_LEVEL": "WARNING",
        # The rate limit protects a city's gateway; here it would only measure itself.
        "SAFETYWATCH_UNIT_REPORTS_PER_SECOND": "1000000",
        "SAFETYWATCH_UNIT_BURST": "1000000",
        **settings,
    }
    if tokens_file is not None:
        env["SAFETYWATCH_TOKENS_FILE"] = str(tokens_file)
    return env
