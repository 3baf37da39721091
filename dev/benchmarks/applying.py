"""python -m dev.benchmarks.applying: what applying a record costs, without Kafka.

The replay's applying alone, the rules compiled and run from source side by side in one
run: realistic national reports (``--reports``) in batches of 4,000, as the replay's
reader sends them, through ``RecordApplier.handle_batch`` into a ledger over the
compiled rows. Each kind in a process of its own (the switch is read at import:
``SAFETYWATCH_COMPILED=0`` runs the rules from source), rounds interleaved; medians and
every round printed. A diagnostic beside ``dev/bench``: it has no broker, no reader
process and no start-up in it (docs/performance.md).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BATCH = 4_000


def _one_round(reports: int) -> dict[str, object]:
    """In this process: µs a record over ``reports`` generated reports, applied once."""
    from dev.stack import national_counties, realistic_records
    from safetywatch import compiled
    from safetywatch.accounting import Ledger
    from safetywatch.aggregator import PipelineState, ReadBatch, RecordApplier
    from safetywatch.events import passes_fast_path
    from safetywatch.native import ledger_storage

    now = datetime(2026, 12, 1, tzinfo=UTC)
    records = list(realistic_records(reports, tag="B", counties=national_counties(), now=now))
    batches = []
    for start in range(0, reports, BATCH):
        keys: list[bytes | None] = [key for key, _ in records[start : start + BATCH]]
        values: list[bytes | None] = [value for _, value in records[start : start + BATCH]]
        vouched = bytes(map(passes_fast_path, keys, values))
        batches.append(ReadBatch(0, list(range(start, start + len(keys))), keys, values, vouched))
    gc.collect()
    gc.disable()  # as the replay does
    ledger = Ledger(ZoneInfo("Asia/Shanghai"), storage=ledger_storage())
    applier = RecordApplier(ledger, PipelineState())
    started = time.perf_counter()
    for batch in batches:
        applier.handle_batch(batch)
    seconds = time.perf_counter() - started
    return {"rules": compiled.state, "us_per_record": round(seconds / reports * 1e6, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.benchmarks.applying")
    parser.add_argument("--reports", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_round:
        print(json.dumps(_one_round(args.reports)))
        return 0
    kinds = {"compiled": {}, "python": {"SAFETYWATCH_COMPILED": "0"}}
    rounds: dict[str, list[float]] = {kind: [] for kind in kinds}
    states: dict[str, str] = {}
    for number in range(1, args.repeat + 1):
        for kind, switch in kinds.items():
            print(f"applying: round {number}/{args.repeat}: {kind}", file=sys.stderr, flush=True)
            command = [sys.executable, "-m", "dev.benchmarks.applying", "--one-round"]
            done = subprocess.run(
                [*command, "--reports", str(args.reports)],
                env={**os.environ, **switch},
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rounds[kind].append(result["us_per_record"])
            states[kind] = result["rules"]
    python = statistics.median(rounds["python"])
    for kind, values in rounds.items():
        median = statistics.median(values)
        print(
            f"{kind:9s} ({states[kind]}): {median:.2f} µs a record, {python / median:.2f}× "
            f"the Python rules; rounds {', '.join(f'{v:.2f}' for v in values)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
