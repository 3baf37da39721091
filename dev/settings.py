"""The local broker and stack that `dev/*`, the tests and the benchmarks run: settings of
the development tooling, typed like the services' (the services never read them)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import Field

from safetywatch.config import Port, RoleSettings, env


class LocalSettings(RoleSettings):
    """The local broker and stack that `dev/*`, the tests and the benchmarks run
    (the development tooling reads these; the services never do)."""

    role = "Local development (`dev/*`, tests, benchmarks)"
    kafka_port: Port = env("KAFKA_PORT", 9092, "the local broker's port")
    controller_port: Port = env("KAFKA_CONTROLLER_PORT", 29093, "its KRaft controller port")
    kafka_dir: Path | None = env(
        "KAFKA_DIR", None, "its data, log and pid; `.run/kafka` when unset"
    )
    kafka_cache: Path | None = env(
        "KAFKA_CACHE", None, "where the Kafka jars are cached; `dev/kafka/.cache` when unset"
    )
    kafka_heap: Annotated[str, Field(pattern=r"^[0-9]+[kmgKMG]$")] = env(
        "KAFKA_HEAP", "512m", "the broker JVM's -Xmx"
    )
    kafka_start_timeout: Annotated[float, Field(gt=0)] = env(
        "KAFKA_START_TIMEOUT", 90.0, "seconds the broker may take to start"
    )
    render_dashboards: Path | None = env(
        "RENDER_DASHBOARDS", None, "the dashboard query test also draws PNGs into this directory"
    )
    app_screenshots: Path | None = env(
        "APP_SCREENSHOTS", None, "the field app's browser test also saves each screen here"
    )


def service_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` as a service process gets it: without the development tooling's own
    variables, which the services do not know and refuse at start-up."""
    tooling = set(LocalSettings.variables().values())
    return {name: value for name, value in environ.items() if name not in tooling}
