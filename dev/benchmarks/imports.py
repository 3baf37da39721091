"""How fast a bureau's history goes in: ``safetywatch import`` of a generated year
through a real gateway (its default import rate), timed end to end by the command's own
clock, beside the target (100,000 rows in a minute)."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dev.benchmarks.ingest import start
from dev.benchmarks.services import service_env
from dev.stack import COUNTIES, free_port
from safetywatch.config import KafkaConnectionSettings
from safetywatch.regions import Level
from safetywatch.units import add_token

TARGET_SECONDS = 60
_FIELDS = [
    "incident_id",
    "revision",
    "category",
    "region_code",
    "occurred_at",
    "deaths",
    "serious_injuries",
    "direct_loss_yuan",
    "business_related",
    "title",
]


def history_file(path: Path, rows: int, year: int) -> Path:
    """``rows`` incidents of ``year`` in the default area, in the field client's layout."""
    rng = random.Random(26)
    zone = ZoneInfo("Asia/Shanghai")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, _FIELDS)
        writer.writeheader()
        for n in range(rows):
            county = rng.choice(COUNTIES)
            category = rng.choice(["road_traffic", "coal_mine", "construction", "other"])
            occurred = datetime(year, 1, 1, tzinfo=zone) + timedelta(minutes=rng.randrange(525_000))
            writer.writerow(
                {
                    "incident_id": f"{county}-I{n}",
                    "revision": 1,
                    "category": category,
                    "region_code": county,
                    "occurred_at": occurred.isoformat(),
                    "deaths": rng.choice([0, 0, 0, 1, 2]),
                    "serious_injuries": rng.choice([0, 1]),
                    "direct_loss_yuan": round(rng.random() * 1e5, 2),
                    "business_related": "是" if category == "road_traffic" else "",
                    "title": f"历史事故{n}",
                }
            )
    return path


def import_history(
    kafka: KafkaConnectionSettings, topic: str, directory: Path, rows: int
) -> dict[str, Any]:
    tokens_file = directory / "import-tokens.json"
    token = add_token(tokens_file, "statistics-desk", ["5202"], Level.CITY, can_import=True)
    token_file = directory / "import.token"
    token_file.write_text(token, encoding="utf-8")
    path = history_file(directory / "history.csv", rows, datetime.now().year - 1)
    port = free_port()
    # At INFO, as in production; the import token's own rate (not the bench's unthrottled
    # unit rate) is what a bureau's import meets.
    env = service_env(kafka, topic, tokens_file, SAFETYWATCH_LOG_LEVEL="INFO")
    env["SAFETYWATCH_GATEWAY_PORT"] = str(port)
    gateway = start(
        [sys.executable, "-m", "safetywatch", "gateway"], env, port, directory, "import-gateway"
    )
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "safetywatch",
                "import",
                str(path),
                "--token-file",
                str(token_file),
            ],
            env={**env, "SAFETYWATCH_GATEWAY": f"http://127.0.0.1:{port}"},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    finally:
        gateway.stop()
    if done.returncode != 0:
        raise RuntimeError(
            f"import failed ({done.returncode}): {done.stdout[-500:]}{done.stderr[-500:]}"
        )
    return {
        "rows": rows,
        "seconds": round(seconds, 1),
        "per_second": round(rows / seconds),
        "target_seconds": TARGET_SECONDS * rows / 100_000,
    }
