"""python -m benchmarks: run every comparison, print the table and write it as JSON.

Run it through deploy/local/bench, which sets up the environment and a broker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from tests.integration.harness import produce_raw
from tests.workload import realistic_records

from benchmarks import _replay
from benchmarks._services import service_env
from safetywatch.kafka import TopicSpec, ensure_topic


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _latency(bootstrap: str, tokens_file: Path, token: str, directory: Path) -> dict[str, Any]:
    from tests.integration.harness import free_port

    from benchmarks import _ingest

    topic = f"bench.latency.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topic(bootstrap, TopicSpec(topic)))
    gateway_port, aggregator_port = free_port(), free_port()
    env = service_env(
        bootstrap,
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
            process.terminate()
            process.wait(timeout=30)


def table(results: dict[str, Any]) -> str:
    lines = []
    for section in ("replay", "ingest"):
        if section in results:
            lines.append(f"\n{section}")
            for row in results[section]:
                extra = (
                    f"peak RSS {row['peak_rss_mib']} MiB, start→ready {row['start_to_ready_s']} s"
                    if section == "replay"
                    else f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, non-202 {row['non_202']}"
                )
                lines.append(
                    f"  {row['name'][:58]:58} {row['per_second']:>9,}/s  {row['share_of_ceiling']:>6.0%} of ceiling  {extra}"
                )
    if "report_to_metric" in results:
        r = results["report_to_metric"]
        lines.append(
            f"\nreport → metric at {r['rate_per_s']:g}/s ({r['reports']} reports): p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--reports", type=int, default=1_000_000, help="replay history size")
    parser.add_argument("--out", default=".run/bench/results.json")
    parser.add_argument("--only", choices=["replay", "ingest", "latency"], action="append")
    parser.add_argument(
        "--replay-topic",
        help="replay this topic (holding --reports records) instead of producing a new one",
    )
    args = parser.parse_args()
    bootstrap = os.environ["SAFETYWATCH_KAFKA_BOOTSTRAP"]
    directory = Path(tempfile.mkdtemp(prefix="safetywatch-bench-"))
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}, "reports": args.reports}
    wanted = set(args.only or ["replay", "ingest", "latency"])

    if "replay" in wanted:
        topic = args.replay_topic or f"bench.replay.{uuid.uuid4().hex[:8]}"
        if args.replay_topic is None:
            asyncio.run(ensure_topic(bootstrap, TopicSpec(topic)))
            say(
                f"producing {args.reports:,} realistic reports into {topic} (5 categories, 4 counties, ~10% revised, ~1% retracted)"
            )
            started = time.perf_counter()
            produce_raw(bootstrap, topic, realistic_records(args.reports, tag="B"))
            say(f"produced in {time.perf_counter() - started:.1f} s")
        rows = []
        say("replay: bare consumer (ceiling)")
        rows.append(_replay.bare_consumer(bootstrap, topic))
        say("replay: safetywatch aggregator")
        rows.append(_replay.aggregator(bootstrap, topic, args.reports, directory))
        say("replay: Quix Streams peer")
        rows.append(_replay.quix_peer(bootstrap, topic, args.reports, directory))
        ceiling = rows[0].per_second
        results["replay"] = [
            {
                "name": r.name,
                "records": r.records,
                "seconds": round(r.seconds, 2),
                "per_second": round(r.per_second),
                "share_of_ceiling": round(r.per_second / ceiling, 3),
                "peak_rss_mib": r.peak_rss_mib and round(r.peak_rss_mib),
                "start_to_ready_s": r.start_to_ready_s and round(r.start_to_ready_s, 2),
            }
            for r in rows
        ]

    if "ingest" in wanted or "latency" in wanted:
        from benchmarks import _ingest
        from safetywatch.ingest._tokens import add_token

        tokens_file = directory / "tokens.json"
        token = add_token(tokens_file, "bench-unit", ["52"])
        topic = f"bench.ingest.{uuid.uuid4().hex[:8]}"
        asyncio.run(ensure_topic(bootstrap, TopicSpec(topic)))
    if "ingest" in wanted:
        say("ingest: 50 concurrent clients, 15 s each: bare endpoint, then the gateway")
        ingested = _ingest.ingest(bootstrap, topic, tokens_file, token, directory)
        ceiling = ingested[0].per_second
        results["ingest"] = [
            {
                "name": r.name,
                "requests": r.requests,
                "per_second": round(r.per_second),
                "share_of_ceiling": round(r.per_second / ceiling, 3),
                "p50_ms": round(r.p50_ms, 1),
                "p99_ms": round(r.p99_ms, 1),
                "non_202": r.errors,
            }
            for r in ingested
        ]
    if "latency" in wanted:
        say("report to metric: 200 reports/s for 20 s through gateway and aggregator")
        results["report_to_metric"] = _latency(bootstrap, tokens_file, token, directory)

    print(table(results))
    print(json.dumps(results, indent=2), file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
