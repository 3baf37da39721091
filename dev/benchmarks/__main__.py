"""python -m dev.benchmarks: run every comparison, print the table and write it as JSON.

Run it through dev/bench, which sets up the environment and a broker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dev.benchmarks import replay as _replay
from dev.benchmarks.services import service_env
from dev.stack import (
    COUNTIES,
    end_offsets,
    national_counties,
    produce_raw,
    realistic_records,
    write_national_area,
)
from safetywatch import compiled
from safetywatch.config import KafkaConnectionSettings, load_role
from safetywatch.kafka import TopicSpec, ensure_topic


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _latency(
    kafka: KafkaConnectionSettings,
    tokens_file: Path,
    token: str,
    directory: Path,
    topic: str | None = None,
) -> dict[str, Any]:
    """Report to metric on a fresh topic, or on ``topic`` once its history is replayed."""
    from dev.benchmarks import ingest as _ingest
    from dev.stack import free_port

    if topic is None:
        topic = f"bench.latency.{uuid.uuid4().hex[:8]}"
        asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
    gateway_port, aggregator_port = free_port(), free_port()
    env = service_env(
        kafka,
        topic,
        tokens_file,
        SAFETYWATCH_GATEWAY_PORT=str(gateway_port),
        SAFETYWATCH_AGGREGATOR_PORT=str(aggregator_port),
    )
    gateway, aggregator = (
        _ingest.start(
            [sys.executable, "-m", "safetywatch", kind], env, port, directory, f"latency-{kind}"
        )
        for kind, port in (("gateway", gateway_port), ("aggregator", aggregator_port))
    )
    try:
        return _ingest.report_to_metric(
            f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{aggregator_port}", token
        )
    finally:
        for process in (gateway, aggregator):
            process.stop()


def _restart(
    kafka: KafkaConnectionSettings, topic: str, held: int, directory: Path, area: dict[str, str]
) -> dict[str, Any]:
    """Start to ready with a state directory: from nothing (the replay writes a
    checkpoint), then again from that checkpoint; and one scrape of /metrics."""
    state = directory / "state"
    state.mkdir(mode=0o700, exist_ok=True)
    settings = {**area, "SAFETYWATCH_STATE_DIR": str(state)}
    say("restart: from nothing, with a state directory (writes a checkpoint)")
    cold = _replay.aggregator(kafka, topic, held, directory, "from nothing", settings)
    say("restart: from the checkpoint")
    warm = _replay.aggregator(
        kafka, topic, held, directory, "from checkpoint", settings, after_report=True
    )
    checkpoint = state / "checkpoint.bin"
    return {
        "from_nothing_s": cold.start_to_ready_s and round(cold.start_to_ready_s, 2),
        "from_checkpoint_s": warm.start_to_ready_s and round(warm.start_to_ready_s, 2),
        "checkpoint_mib": round(checkpoint.stat().st_size / 2**20, 1),
        "peak_rss_mib": round(max(r.peak_rss_mib or 0 for r in (cold, warm))),
        "peak_rss_mib_from_checkpoint": warm.peak_rss_mib and round(warm.peak_rss_mib),
        **_scrape_figures("", warm.scrape),
        **_scrape_figures("counts_", warm.counts_scrape),
    }


def _scrape_figures(prefix: str, scrape: _replay.Scrape | None) -> dict[str, Any]:
    """One endpoint's scrape as the results name it (``prefix``: which endpoint)."""
    figures: dict[str, Any] = {
        f"{prefix}series_per_scrape": scrape and scrape.series,
        f"{prefix}scrape_seconds": scrape and scrape.seconds,
        f"{prefix}scrape_mib": scrape and round(scrape.bytes / 2**20, 2),
        f"{prefix}scrape_first_seconds": scrape and scrape.first_seconds,
    }
    if scrape is not None and scrape.after_report_seconds is not None:
        figures[f"{prefix}scrape_after_report_seconds"] = scrape.after_report_seconds
    return figures


def table(results: dict[str, Any]) -> str:
    lines = []
    for section in ("replay", "ingest"):
        if section in results:
            lines.append(f"\n{section}")
            for row in results[section]:
                if section == "replay":
                    runs = row["runs_per_second"]
                    rss, ready = row["peak_rss_mib"], row["start_to_ready_s"]
                    held, incidents = row.get("ready_rss_mib"), row.get("incidents")
                    extra = (
                        f"runs {min(runs):,}–{max(runs):,}/s"
                        + (
                            f", RSS at ready {held} MiB for {incidents:,} incidents"
                            f" ({held / incidents * 1e6:.0f} MiB per million)"
                            if held and incidents
                            else ""
                        )
                        + (f", peak RSS {rss} MiB" if rss is not None else "")
                        + (f", start→ready {ready} s" if ready is not None else "")
                    )
                else:
                    extra = (
                        f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, non-202 {row['non_202']}"
                    )
                    if "runs_per_second" in row:
                        shares = ", ".join(f"{x:.0%}" for x in row["runs_share_of_ceiling"])
                        extra += (
                            f"; rounds {', '.join(f'{x:,}' for x in row['runs_per_second'])}/s"
                            f" ({shares} of the bare round beside), p99s {row['runs_p99_ms']}"
                            f"; CPU a request {row['runs_cpu_us_per_request']} µs"
                        )
                share = row.get("share_of_ceiling")
                share_text = f"{share:>6.0%} of ceiling" if share is not None else " " * 17
                lines.append(
                    f"  {row['name'][:58]:58} {row['per_second']:>9,}/s  {share_text}  {extra}"
                )
    if "restart" in results:
        r = results["restart"]
        lines.append(
            f"\nrestart to ready: from nothing {r['from_nothing_s']} s, from a checkpoint "
            f"{r['from_checkpoint_s']} s ({r['checkpoint_mib']} MiB); peak RSS {r['peak_rss_mib']} MiB"
            f" ({r['peak_rss_mib_from_checkpoint']} MiB starting from the checkpoint)"
            f"\n/metrics: {r['series_per_scrape']:,} series, {r['scrape_mib']} MiB, "
            f"rendered in {r['scrape_seconds']} s (the first {r.get('scrape_first_seconds')} s)"
        )
        if r.get("counts_series_per_scrape") is not None:
            lines.append(
                f"/metrics/counts: {r['counts_series_per_scrape']:,} series, "
                f"{r['counts_scrape_mib']} MiB, rendered in {r['counts_scrape_seconds']} s "
                f"(the first {r['counts_scrape_first_seconds']} s, after a new report "
                f"{r['counts_scrape_after_report_seconds']} s)"
            )
    if "import" in results:
        r = results["import"]
        lines.append(
            f"\nimport: {r['rows']:,} rows in {r['seconds']} s ({r['per_second']:,} rows/s); "
            f"target {r['target_seconds']:g} s ({r['rows'] / r['target_seconds']:,.0f} rows/s)"
        )
    for key, label in (
        ("report_to_metric", "report → metric, empty topic"),
        ("report_to_metric_at_scale", "report → metric, replayed history held"),
    ):
        if key in results:
            r = results[key]
            lines.append(
                f"\n{label} at {r['rate_per_s']:g}/s ({r['reports']} reports): p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
            )
    return "\n".join(lines)


def _ingest_rows(contenders: list[Any]) -> list[dict[str, Any]]:
    """Each contender's median round, every round's rate, and its share of the bare
    endpoint's median (and per round: the bare round it ran beside)."""
    bare = contenders[0]
    rows = []
    for contender in contenders:
        median = contender.median
        rows.append(
            {
                "name": contender.name,
                "requests": median.requests,
                "per_second": round(median.per_second),
                "runs_per_second": [round(r.per_second) for r in contender.rounds],
                "share_of_ceiling": round(median.per_second / bare.median.per_second, 3),
                "runs_share_of_ceiling": [
                    round(r.per_second / b.per_second, 3)
                    for r, b in zip(contender.rounds, bare.rounds, strict=True)
                ],
                "offered_per_second": None,
                "p50_ms": round(median.p50_ms, 1),
                "p99_ms": round(median.p99_ms, 1),
                "runs_p99_ms": [round(r.p99_ms, 1) for r in contender.rounds],
                "cpu_us_per_request": round(median.cpu_us_per_request or 0),
                "runs_cpu_us_per_request": [
                    round(r.cpu_us_per_request or 0) for r in contender.rounds
                ],
                "non_202": sum(r.errors for r in contender.rounds),
            }
        )
        if contender.paced is not None:
            paced = contender.paced
            rows.append(
                {
                    "name": paced.name,
                    "requests": paced.requests,
                    "per_second": round(paced.per_second),
                    "share_of_ceiling": None,
                    "offered_per_second": paced.offered_per_second,
                    "p50_ms": round(paced.p50_ms, 1),
                    "p99_ms": round(paced.p99_ms, 1),
                    "non_202": paced.errors,
                }
            )
    return rows


def _median_run(runs: list[_replay.ReplayResult]) -> dict[str, Any]:
    """The run with the median rate (its RSS and start time with it); the highest peak
    RSS of all runs, so that memory is never flattered."""
    ordered = sorted(runs, key=lambda r: r.per_second)
    median = ordered[len(ordered) // 2]
    peaks = [r.peak_rss_mib for r in runs if r.peak_rss_mib]
    held = [r.ready_rss_mib for r in runs if r.ready_rss_mib]
    return {
        "name": median.name,
        "records": median.records,
        "seconds": round(median.seconds, 2),
        "per_second": round(median.per_second),
        "runs_per_second": [round(r.per_second) for r in runs],
        "peak_rss_mib": round(max(peaks)) if peaks else None,
        "start_to_ready_s": median.start_to_ready_s and round(median.start_to_ready_s, 2),
        "ready_rss_mib": round(max(held)) if held else None,
        "incidents": median.incidents,
    }


def _recorded() -> str:
    """When and from which commit: what a baseline is read against."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or 'unknown'}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.benchmarks")
    parser.add_argument("--reports", type=int, default=1_000_000, help="replay history size")
    parser.add_argument("--out", default=".run/bench/results.json")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="FILE",
        help="then print every figure beside FILE's (benchmarks/baseline.json) and which "
        "moved by more than the noise between rounds",
    )
    parser.add_argument(
        "--only", choices=["replay", "ingest", "latency", "import"], action="append"
    )
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of --only import")
    parser.add_argument(
        "--repeat", type=int, default=3, help="replay runs per contender (median reported)"
    )
    parser.add_argument(
        "--area",
        choices=["city", "national"],
        default="city",
        help="the default city (4 counties) or a generated national area (2,790 counties)",
    )
    parser.add_argument(
        "--peer-repeat", type=int, help="runs of the Quix Streams peer (default: --repeat)"
    )
    parser.add_argument(
        "--replay-topic",
        help="replay this topic (holding --reports records) instead of producing a new one",
    )
    args = parser.parse_args()
    kafka = load_role(KafkaConnectionSettings)
    directory = Path(tempfile.mkdtemp(prefix="safetywatch-bench-"))
    results: dict[str, Any] = {
        "recorded": _recorded(),
        "machine": {"cpus": os.cpu_count()},
        "reports": args.reports,
        # How the services started by this run run the rules (docs/performance.md).
        "rules": compiled.state,
    }
    say(f"the rules run {compiled.state} (safetywatch/compiled.py)")
    digest = compiled.sources_digest()
    wanted = set(args.only or ["replay", "ingest", "latency", "import"])

    area: dict[str, str] = {}
    counties: tuple[str, ...] = COUNTIES
    if args.area == "national":
        area = {"SAFETYWATCH_CONFIG_FILE": str(write_national_area(directory / "national.yaml"))}
        counties = tuple(national_counties())
    results["area"] = args.area
    if "replay" in wanted:
        topic = args.replay_topic or f"bench.replay.{uuid.uuid4().hex[:8]}"
        if args.replay_topic is None:
            asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
            say(
                f"producing {args.reports:,} realistic reports into {topic} (5 categories, "
                f"{len(counties):,} counties, ~10% revised, ~1% retracted)"
            )
            started = time.perf_counter()
            produce_raw(kafka, topic, realistic_records(args.reports, tag="B", counties=counties))
            say(f"produced in {time.perf_counter() - started:.1f} s")
        held = sum(end_offsets(kafka, topic).values())  # a reused topic may hold more
        runs: dict[str, list[_replay.ReplayResult]] = {}
        for round_number in range(1, args.repeat + 1):
            # Interleaved, so that a slow spell of this shared machine hits every contender.
            say(f"replay round {round_number}/{args.repeat}: bare consumer (ceiling)")
            contenders = [_replay.bare_consumer(kafka, topic)]
            say(f"replay round {round_number}/{args.repeat}: safetywatch aggregator")
            contenders.append(_replay.aggregator(kafka, topic, held, directory, settings=area))
            if round_number <= (args.peer_repeat or args.repeat):
                say(f"replay round {round_number}/{args.repeat}: Quix Streams peer")
                contenders.append(_replay.quix_peer(kafka.bootstrap, topic, held, directory))
            for result in contenders:
                runs.setdefault(result.name, []).append(result)
            say(", ".join(f"{r.name.split(' (')[0]} {r.per_second:,.0f}/s" for r in contenders))
        rows = [_median_run(contender_runs) for contender_runs in runs.values()]
        ceiling = rows[0]["per_second"]
        for row in rows:
            row["share_of_ceiling"] = round(row["per_second"] / ceiling, 3)
        results["replay"] = rows
        results["replay_topic"] = topic
        results["restart"] = _restart(kafka, topic, held, directory, area)

    if "ingest" in wanted or "latency" in wanted:
        from dev.benchmarks import ingest as _ingest
        from safetywatch.units import add_token

        tokens_file = directory / "tokens.json"
        token = add_token(tokens_file, "bench-unit", ["52"])
        topic = f"bench.ingest.{uuid.uuid4().hex[:8]}"
        asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
    if "ingest" in wanted:
        say("ingest: 50 concurrent clients, 15 s a round; three rounds, bare and gateway in turn")
        ingested = _ingest.ingest(kafka, topic, tokens_file, token, directory)
        results["ingest"] = _ingest_rows(ingested)
    if "latency" in wanted:
        say("report to metric: 200 reports/s for 20 s through gateway and aggregator")
        results["report_to_metric"] = _latency(kafka, tokens_file, token, directory)
        if "replay_topic" in results:
            say(
                f"report to metric again, the aggregator first replaying the {args.reports:,} reports"
            )
            results["report_to_metric_at_scale"] = _latency(
                kafka, tokens_file, token, directory, results["replay_topic"]
            )

    if "import" in wanted:
        from dev.benchmarks.imports import import_history

        topic = f"bench.import.{uuid.uuid4().hex[:8]}"
        asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
        say(f"import: {args.import_rows:,} rows of last year through safetywatch import")
        results["import"] = import_history(kafka, topic, directory, args.import_rows)

    if compiled.sources_digest() != digest:
        results["rules"] = "changed during the run: later services ran them as Python"
        say(f"warning: the rules' sources {results['rules']}")
    print(table(results))
    print(json.dumps(results, indent=2), file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    say(f"wrote {out}")
    if args.compare is not None:
        from dev.benchmarks.compare import compare

        print(compare(json.loads(args.compare.read_text()), results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
