"""python -m dev.benchmarks.storage: where the ledger keeps its incidents, measured.

The same rows kept three ways, side by side in one run: the compiled table (C, built at
install time), a numpy structured array (a well-kept library; the prototype below keeps
the very rows of ``layout.ROW`` in it, ids in a dict), and the Python table (bytes in a
bytearray, ids in a dict). For each: microseconds to add a new incident, to read one
back as a state, to write a revision over it, and the memory an incident costs, each
table in a process of its own, rounds interleaved; medians and every round printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from safetywatch.accounting import (
    NO_GRADES,
    PYTHON_STORAGE,
    ROW,
    IncidentState,
    figures,
    incident_of,
    row_values,
    state_parts,
)
from safetywatch.events import Category, Grade
from safetywatch.native import ledger_storage

KINDS = ("compiled", "numpy", "python")


def numpy_table() -> Any:
    """The rows of ``layout.ROW`` as a numpy structured array, the Python table's codes."""
    import numpy as np

    codes = {"B": "u1", "H": "<u2", "i": "<i4", "q": "<i8"}
    dtype = np.dtype([(f"f{n}", codes[c]) for n, c in enumerate(ROW.format.lstrip("<"))])
    assert dtype.itemsize == ROW.size  # packed, as the compiled rows are

    class NumpyTable(PYTHON_STORAGE.incidents):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self._array = np.zeros(1024, dtype)

        def __len__(self) -> int:
            return len(self._ids)

        def add(self, state: IncidentState) -> int:
            row = len(self._ids)
            if row == len(self._array):
                self._array = np.resize(self._array, 2 * row)
            self._array[row] = row_values(state, self)
            self._ids.append(state.incident_id)
            self._rows[state.incident_id] = row
            return row

        def put(self, row: int, state: IncidentState) -> None:
            self._array[row] = row_values(state, self)

        def state(self, row: int) -> IncidentState:
            values = self._array[row].item()
            return IncidentState(self._ids[row], *state_parts(values, self))

    return NumpyTable()


def _table(kind: str) -> Any:
    if kind == "numpy":
        return numpy_table()
    storage = ledger_storage() if kind == "compiled" else PYTHON_STORAGE
    if kind == "compiled" and not storage.compiled:
        raise SystemExit("this installation has no compiled rows")
    return storage.incidents()


def _state(n: int) -> IncidentState:
    at = datetime(2026, 3, 1, 8, tzinfo=timezone(timedelta(hours=8))) + timedelta(seconds=n)
    return incident_of(
        IncidentState,
        incident_id=f"520201-B{n}",
        ref=n,
        revision=1,
        retracted=False,
        category=Category.ROAD_TRAFFIC,
        region_code="520201",
        non_business=False,
        imported=False,
        month=24314,
        grade=Grade.ORDINARY,
        current_grade=Grade.ORDINARY,
        occurred_at=at,
        first_received_at=at.astimezone(UTC),
        last_received_at=at.astimezone(UTC),
        near_miss_since=None,
        province_since=None,
        grade_since=NO_GRADES,
        figures=figures(
            incidents=1,
            threats=0,
            fire_outbreaks=0,
            deaths=n % 3,
            missing=0,
            serious_injuries=1,
            minor_injuries=2,
            direct_loss_fen=1_500_000,
            damaged_area=0,
            late_reports=0,
            near_misses=0,
            late_supplements=0,
            fatalities=n % 3,
            fatalities_missing=0,
        ),
    )


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _timed(action: Callable[[int], object], count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        action(n)
    return (time.perf_counter() - started) / count * 1e6


def measure(kind: str, incidents: int) -> dict[str, float]:
    """One table in this process: adds, reads, revisions, and the memory per incident."""
    states = [_state(n) for n in range(1000)]  # reused: only the table grows
    table = _table(kind)
    before = _rss_kib()

    def add(n: int) -> None:
        state = states[n % 1000]
        state.incident_id = f"520201-B{n}"
        table.add(state)

    add_us = _timed(add, incidents)
    grown = (_rss_kib() - before) * 1024 / incidents
    reads = min(incidents, 200_000)
    state_us = _timed(lambda n: table.state(n * 7919 % incidents), reads)
    put_us = _timed(lambda n: table.put(n * 7919 % incidents, states[n % 1000]), reads)
    return {"add_us": add_us, "state_us": state_us, "put_us": put_us, "bytes": grown}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.incidents)))
        return 0
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    for round_number in range(args.repeat):  # interleaved: the machine's noise is shared
        for kind in KINDS:
            command = [sys.executable, "-m", "dev.benchmarks.storage", "--one", kind]
            command += ["--incidents", str(args.incidents)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[kind].append(json.loads(done.stdout.splitlines()[-1]))
            print(f"storage: round {round_number + 1} {kind} done", file=sys.stderr, flush=True)
    print(f"{args.incidents:,} incidents, {args.repeat} rounds: median (every round)")
    print(f"{'table':10} {'add µs':>22} {'state µs':>22} {'put µs':>22} {'bytes/incident':>26}")
    for kind in KINDS:
        cells = []
        for key in ("add_us", "state_us", "put_us", "bytes"):
            values = [run[key] for run in runs[kind]]
            rounds = "/".join(f"{v:.0f}" if key == "bytes" else f"{v:.2f}" for v in values)
            median = statistics.median(values)
            cells.append(
                f"{median:.0f} ({rounds})" if key == "bytes" else f"{median:.2f} ({rounds})"
            )
        print(f"{kind:10} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22} {cells[3]:>26}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
