"""The peer: the same accounting (latest revision wins, quarterly counts by region,
category and grade) as a Quix Streams application with its RocksDB state store.

python -m dev.benchmarks.quix_peer BOOTSTRAP TOPIC RECORDS STATE_DIR  → prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from quixstreams import Application
from quixstreams.state import State

from safetywatch.accounting import Grader, quarter_of, yuan_to_fen
from safetywatch.events import Category

ZONE = ZoneInfo("Asia/Shanghai")
grader = Grader(ZONE)


def main(bootstrap: str, topic_name: str, records: int, state_dir: str) -> None:
    counts: defaultdict[tuple[str, str, str, str], list[int]] = defaultdict(
        lambda: [0, 0, 0, 0, 0, 0]
    )

    def move(key: list[str] | None, figures: list[int], sign: int) -> None:
        if key is None:
            return
        cell = counts[(key[0], key[1], key[2], key[3])]
        for index, value in enumerate(figures):
            cell[index] += sign * value

    def apply(value: dict[str, Any], state: State[Any, Any]) -> None:
        latest = state.get("latest")
        if latest is not None and value["revision"] <= latest[0]:
            return  # duplicate or stale
        if latest is not None:
            move(latest[1], latest[2], -1)
        key: list[str] | None = None
        figures = [
            1,
            value["deaths"],
            value.get("missing", 0),
            value.get("serious_injuries", 0),
            value.get("minor_injuries", 0),
            yuan_to_fen(value.get("direct_loss_yuan", 0)),
        ]
        if not value.get("retracted"):
            category = Category(value["category"])
            severity = (
                value["deaths"] + value.get("missing", 0),
                value.get("serious_injuries", 0),
                value.get("direct_loss_yuan", 0),
                value.get("damaged_forest_area_ha") or value.get("burned_area_ha", 0),
            )
            occurred = datetime.fromisoformat(value["occurred_at"])
            quarter = quarter_of(occurred, ZONE)
            key = [
                quarter.label,
                value["region_code"],
                category.value,
                grader.grade(category, occurred, *severity).value,
            ]
            move(key, figures, 1)
        state.set("latest", [value["revision"], key, figures])

    app = Application(
        broker_address=bootstrap,
        consumer_group=f"bench-quix-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        state_dir=state_dir,
        use_changelog_topics=False,
        auto_create_topics=False,
        loglevel="WARNING",
    )
    topic = app.topic(topic_name, value_deserializer="json")
    app.dataframe(topic).update(apply, stateful=True)
    started = time.perf_counter()
    app.run(count=records, collect=False)
    seconds = time.perf_counter() - started
    incidents = sum(cell[0] for cell in counts.values())
    rss = next(
        int(line.split()[1]) / 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    print(json.dumps({"seconds": seconds, "peak_rss_mib": rss, "incidents_counted": incidents}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
