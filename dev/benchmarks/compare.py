"""A run beside a baseline (``dev/bench --compare benchmarks/baseline.json``): the ratio of
every figure both hold, and which moved by more than the noise between rounds.

The noise of a figure is the spread of its rounds (largest over smallest, minus one) in
either run; a figure measured once has no rounds to judge by and gets ``SINGLE_RUN_NOISE``.
A move within the noise is reported as such, never as a regression: the machine is shared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What a figure measured once may move by before it is called a move.
SINGLE_RUN_NOISE = 0.10


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    #: Relative spread between rounds; None when measured once.
    noise: float | None
    higher_is_better: bool
    unit: str = ""


def _spread(values: Sequence[float] | None) -> float | None:
    values = [v for v in values or () if v]
    if len(values) < 2:
        return None
    return max(values) / min(values) - 1


def _figure(
    section: str,
    name: str,
    what: str,
    value: float,
    runs: Sequence[float] | None,
    higher_is_better: bool,
    unit: str = "",
) -> tuple[str, Figure]:
    """A figure keyed ``section/name/what`` (its label says what, unless a rate)."""
    label = f"{section}: {name}" + ("" if what == "rate" else f", {what}")
    return f"{section}/{name}/{what}", Figure(label, value, _spread(runs), higher_is_better, unit)


def _shares(
    section: str, name: str, row: dict[str, Any], runs: Sequence[float] | None
) -> Iterator[tuple[str, Figure]]:
    """A contender's share of the ceiling (the ceiling's own is always 1)."""
    if row.get("share_of_ceiling") is not None and "bare" not in name:
        yield _figure(section, name, "share of bare", row["share_of_ceiling"], runs, True)


def _replay(results: dict[str, Any]) -> Iterator[tuple[str, Figure]]:
    for row in results.get("replay", []):
        name = row["name"].split(" (")[0]
        runs = row.get("runs_per_second")
        yield _figure("replay", name, "rate", row["per_second"], runs, True, "/s")
        yield from _shares("replay", name, row, runs)
        if row.get("ready_rss_mib") and row.get("incidents"):
            per_million = row["ready_rss_mib"] / row["incidents"] * 1e6
            yield _figure(
                "replay", name, "RSS per million incidents", per_million, None, False, " MiB"
            )


def _ingest(results: dict[str, Any]) -> Iterator[tuple[str, Figure]]:
    for row in results.get("ingest", []):
        name = row["name"].split(":")[0]
        yield _figure(
            "ingest", name, "rate", row["per_second"], row.get("runs_per_second"), True, "/s"
        )
        yield _figure("ingest", name, "p99", row["p99_ms"], row.get("runs_p99_ms"), False, " ms")
        yield from _shares("ingest", name, row, row.get("runs_share_of_ceiling"))
        if row.get("cpu_us_per_request"):
            cpu = row["cpu_us_per_request"]
            runs = row.get("runs_cpu_us_per_request")
            yield _figure("ingest", name, "CPU a request", cpu, runs, False, " µs")


def _single(results: dict[str, Any]) -> Iterator[tuple[str, Figure]]:
    restart = results.get("restart") or {}
    for key, label, unit in (
        ("from_checkpoint_s", "restart from a checkpoint", " s"),
        ("scrape_mib", "/metrics size", " MiB"),
        ("scrape_seconds", "/metrics render", " s"),
        ("counts_scrape_mib", "/metrics/counts size", " MiB"),
        ("counts_scrape_seconds", "/metrics/counts render", " s"),
        ("counts_scrape_after_report_seconds", "/metrics/counts after a report", " s"),
    ):
        if restart.get(key) is not None:
            yield f"restart/{key}", Figure(label, restart[key], None, False, unit)
    if (imported := results.get("import")) is not None:
        yield "import/seconds", Figure("import of history", imported["seconds"], None, False, " s")
    for key in ("report_to_metric", "report_to_metric_at_scale"):
        if (latency := results.get(key)) is not None:
            label = key.replace("_", " ")
            yield f"{key}/p99", Figure(f"{label}, p99", latency["p99_ms"], None, False, " ms")


def figures(results: dict[str, Any]) -> dict[str, Figure]:
    """Every comparable figure of a results file, by a key stable across runs."""
    return dict((*_replay(results), *_ingest(results), *_single(results)))


def verdict(before: Figure, now: Figure) -> str:
    ratio = now.value / before.value if before.value else float("inf")
    noises = [n for n in (before.noise, now.noise) if n is not None]
    noise = max(noises) if noises else SINGLE_RUN_NOISE
    if abs(ratio - 1) <= noise:
        return f"within noise (±{noise:.0%})"
    better = (ratio > 1) == now.higher_is_better
    return f"{'BETTER' if better else 'WORSE'}: moved more than the noise (±{noise:.0%})"


def _shown(value: float) -> str:
    return f"{value:>10,.0f}" if abs(value) >= 100 else f"{value:>10.3g}"


def compare(baseline: dict[str, Any], current: dict[str, Any]) -> str:
    """A table: each figure both runs hold, its two values, their ratio, the verdict."""
    before, now = figures(baseline), figures(current)
    lines = [f"compared with the baseline ({baseline.get('recorded', 'no date')}):"]
    for key, figure in now.items():
        if key not in before:
            continue
        old = before[key]
        ratio = figure.value / old.value if old.value else float("inf")
        lines.append(
            f"  {figure.label[:58]:58} {_shown(old.value)}{figure.unit} → "
            f"{_shown(figure.value)}{figure.unit}  ×{ratio:.2f}  {verdict(old, figure)}"
        )
    missing = sorted(set(before) - set(now))
    if missing:
        lines.append(f"  not measured in this run: {', '.join(missing)}")
    return "\n".join(lines)


def compare_files(baseline: Path, current: Path) -> str:
    return compare(json.loads(baseline.read_text()), json.loads(current.read_text()))
