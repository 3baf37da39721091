"""The bench's comparison with a baseline: ratios of the figures both runs hold, and a
move called a move only beyond the noise between rounds."""

from __future__ import annotations

from typing import Any

from dev.benchmarks.compare import compare, figures


def run(gateway: list[int], bare: list[int], p99: list[float], scrape_mib: float) -> dict[str, Any]:
    def median(values: list[Any]) -> Any:
        return sorted(values)[len(values) // 2]

    shares = [round(g / b, 3) for g, b in zip(gateway, bare, strict=True)]
    return {
        "recorded": "a day",
        "ingest": [
            {
                "name": "bare endpoint: raw body to Kafka",
                "per_second": median(bare),
                "runs_per_second": bare,
                "share_of_ceiling": 1.0,
                "p99_ms": 30.0,
                "runs_p99_ms": [30.0, 31.0, 30.5],
            },
            {
                "name": "safetywatch gateway",
                "per_second": median(gateway),
                "runs_per_second": gateway,
                "share_of_ceiling": round(median(gateway) / median(bare), 3),
                "runs_share_of_ceiling": shares,
                "p99_ms": median(p99),
                "runs_p99_ms": p99,
            },
        ],
        "restart": {"scrape_mib": scrape_mib},
    }


BASELINE = run([4000, 4100, 4050], [7000, 7100, 7050], [20.0, 21.0, 20.5], 1.5)


def line_of(table: str, label: str) -> str:
    return next(line for line in table.splitlines() if line.strip().startswith(label))


def test_the_same_figures_within_their_rounds_spread_are_within_noise():
    table = compare(BASELINE, run([3990, 4120, 4040], [7000, 7100, 7050], [20.0, 21.0, 20.5], 1.52))
    assert "within noise" in line_of(table, "ingest: safetywatch gateway ")
    assert "within noise" in line_of(table, "/metrics size")


def test_a_drop_beyond_the_noise_is_called_worse_and_a_lower_latency_better():
    table = compare(BASELINE, run([2000, 2050, 2020], [7000, 7100, 7050], [10.0, 10.2, 10.1], 1.5))
    gateway = line_of(table, "ingest: safetywatch gateway ")
    assert "WORSE" in gateway
    assert "×0.50" in gateway
    assert "BETTER" in line_of(table, "ingest: safetywatch gateway, p99")
    assert "WORSE" in line_of(table, "ingest: safetywatch gateway, share of bare")


def test_a_figure_measured_once_moves_only_beyond_ten_percent():
    assert "within noise (±10%)" in line_of(
        compare(BASELINE, run([4000, 4100, 4050], [7000, 7100, 7050], [20, 21, 20.5], 1.6)),
        "/metrics size",
    )
    assert "WORSE" in line_of(
        compare(BASELINE, run([4000, 4100, 4050], [7000, 7100, 7050], [20, 21, 20.5], 7.8)),
        "/metrics size",
    )


def test_what_a_run_did_not_measure_is_named():
    partial = {"restart": {"scrape_mib": 1.5}}
    table = compare(BASELINE, partial)
    assert "not measured in this run: ingest/" in table
    assert set(figures(partial)) == {"restart/scrape_mib"}
