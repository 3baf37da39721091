"""Issue 27: on a three-broker KRaft cluster (replication 3, min.insync.replicas 2), a
partition leader SIGKILLed under load, then brokers lost for good: every report that got
a 202 is counted exactly once, the aggregator never stalls, and with one broker of three
the gateway answers 503 and loses nothing. The figures go to the README."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev.stack import (
    COUNTIES,
    Broker,
    InfrastructureError,
    leaders,
    metric_samples,
    read_topic,
    wait_until,
)
from dev.stack import sample as sample_of
from safetywatch.kafka import TopicSpec, ensure_topic
from tests.integration.checks import assert_matches_reference, summary, wait_until_read
from tests.integration.harness import Service, Services, records_of
from tests.integration.load import RetryingClients
from tests.reports import report

pytestmark = pytest.mark.integration

#: SafetywatchAggregatorStalled's `for:`: a stall shorter than this never fires it.
STALL_FOR_SECONDS = 15.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    broker = Broker(tmp_path_factory.mktemp("cluster"), brokers=3)
    try:
        broker.start()
    except InfrastructureError as error:
        pytest.fail(str(error), pytrace=False)
    yield broker
    broker.stop()


def started(cluster: Broker, tmp_path: Path, name: str) -> tuple[Services, Service, Service]:
    topic = f"test.cluster.{name}"
    spec = TopicSpec(topic, replication_factor=3)
    assert asyncio.run(ensure_topic(cluster.connection(), spec))
    assert spec.min_insync_replicas == 2
    runner = Services(cluster.connection(), topic, tmp_path)
    gateway = runner.start(
        "gateway", SAFETYWATCH_PRODUCE_TIMEOUT_SECONDS="5", SAFETYWATCH_RETRY_AFTER_SECONDS="1"
    )
    aggregator = runner.start("aggregator")
    return runner, gateway, aggregator


def endless_reports(tag: str) -> Iterator[dict[str, Any]]:
    occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for n in itertools.count():
        yield report(f"{COUNTIES[n % 4]}-{tag}{n}", occurred_at=occurred, deaths=n % 3)


class StallWatch:
    """Scrapes the aggregator twice a second and judges SafetywatchAggregatorStalled's
    expression on what it saw: the longest stretch during which it held."""

    def __init__(self, aggregator: Service) -> None:
        self.aggregator = aggregator
        self.longest = 0.0
        self.scrapes = 0
        self._since: float | None = None
        self._history: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _stalled(self, now: float) -> bool:
        try:
            text = httpx.get(f"{self.aggregator.url}/metrics", timeout=5).text
        except httpx.TransportError:
            return True  # no scrape: Prometheus would see the target down
        samples = metric_samples(text)
        self.scrapes += 1
        up = sample_of(samples, "safetywatch_follower_up")
        last_poll = sample_of(samples, "safetywatch_follower_last_poll_timestamp_seconds") or 0
        lag = sum(v for (name, _), v in samples.items() if name == "safetywatch_consumer_lag")
        records = sum(v for (name, _), v in samples.items() if name == "safetywatch_records_total")
        self._history.append((now, records))
        minute_ago = [r for t, r in self._history if t >= now - 60]
        progressed = records > minute_ago[0] if len(minute_ago) > 1 else True
        return up == 0 or time.time() - last_poll > 20 or (lag > 0 and not progressed)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            now = time.monotonic()
            if self._stalled(now):
                self._since = self._since if self._since is not None else now
                self.longest = max(self.longest, now - self._since)
            else:
                self._since = None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


def lag(aggregator: Service) -> float:
    samples = metric_samples(httpx.get(f"{aggregator.url}/metrics", timeout=5).text)
    return sum(v for (name, _), v in samples.items() if name == "safetywatch_consumer_lag")


def assert_counted_exactly_once(
    runner: Services, aggregator: Service, clients: RetryingClients
) -> None:
    """Every 202's position holds its report; the aggregator counts each report once."""
    assert len(clients.acknowledged) == len(clients.posted)
    logged = read_topic(runner.kafka, runner.topic)
    at = {(item.partition, item.offset): item for item in logged}
    for incident_id, position in clients.acknowledged.items():
        assert position in at, f"202 for {incident_id} at {position}, which is not in Kafka"
        assert json.loads(at[position].value or b"")["incident_id"] == incident_id
    wait_until_read(aggregator, len(logged), timeout=180)
    wait_until(lambda: lag(aggregator) == 0, 60, "the aggregator's lag to return to zero")
    occurred = clients.posted[0]["occurred_at"]
    year = occurred[:4]
    totals = summary(aggregator, None, "", period=year)["totals"]
    assert totals["incidents"] == len(clients.posted)
    assert totals["deaths"] == sum(d.get("deaths", 0) for d in clients.posted)
    assert assert_matches_reference(aggregator, records_of(logged)) > 0


def figures(name: str, clients: RetryingClients, **more: float) -> None:
    """The reliability figures the README quotes, printed where the test log keeps them."""
    print(
        f"\n{name}: reports posted {len(clients.posted)}, 202 {clients.accepted}, "
        f"503 retried {clients.answers[503]}, dropped connections {clients.dropped_connections}, "
        f"longest time without a 202 {clients.longest_gap():.1f} s, "
        + ", ".join(f"{key} {value:.1f}" for key, value in more.items())
    )


def test_a_partition_leader_killed_under_load_loses_and_doubles_nothing(
    cluster: Broker, tmp_path: Path
):
    runner, gateway, aggregator = started(cluster, tmp_path, "leader-loss")
    watch = StallWatch(aggregator)
    try:
        clients = RetryingClients(gateway, endless_reports("L"), clients=4, pace_seconds=0.02)
        wait_until(lambda: clients.accepted >= 100, 60, "reports accepted before the kill")
        leader = leaders(cluster.connection(), runner.topic)[0]
        victim = next(node for node in cluster.nodes if node.node_id == leader)
        killed_at = time.monotonic()
        cluster.kill(victim)
        before = clients.accepted
        wait_until(lambda: clients.accepted >= before + 200, 90, "posting to go on with 2 of 3")
        assert leaders(cluster.connection(), runner.topic)[0] != leader
        cluster.start_node(victim)
        back = clients.accepted
        wait_until(lambda: clients.accepted >= back + 100, 60, "posting after the restart")
        clients.stop()
        clients.join()
        assert_counted_exactly_once(runner, aggregator, clients)
        watch.stop()
        assert watch.scrapes >= 10
        assert watch.longest < STALL_FOR_SECONDS, "SafetywatchAggregatorStalled would fire"
        figures(
            "leader killed",
            clients,
            **{
                "longest without a 202 after the kill (s)": clients.longest_gap(killed_at),
                "longest stall condition (s)": watch.longest,
            },
        )
    finally:
        watch.stop()
        runner.close()


def test_brokers_lost_for_good_two_of_three_go_on_one_of_three_refuses(
    cluster: Broker, tmp_path: Path
):
    runner, gateway, aggregator = started(cluster, tmp_path, "brokers-lost")
    first, second = cluster.nodes[1], cluster.nodes[2]
    try:
        clients = RetryingClients(gateway, endless_reports("G"), clients=4, pace_seconds=0.02)
        wait_until(lambda: clients.accepted >= 50, 60, "reports accepted with three brokers")
        cluster.stop_node(first)
        before = clients.accepted
        wait_until(lambda: clients.accepted >= before + 150, 90, "posting to go on with 2 of 3")
        refused_before = clients.refused()
        cluster.kill(second)
        wait_until(
            lambda: clients.refused() >= refused_before + 8,
            90,
            "the gateway to answer 503 with one broker of three",
        )
        # Once every client is being refused, nothing more is acknowledged.
        accepted = clients.accepted
        refused = clients.refused()
        wait_until(lambda: clients.refused() >= refused + 8, 90, "more 503s")
        assert clients.accepted == accepted, "a 202 with one broker of three"
        clients.stop()
        cluster.start_node(first)
        cluster.start_node(second)
        clients.join()
        assert_counted_exactly_once(runner, aggregator, clients)
        figures("brokers lost", clients)
    finally:
        runner.close()
        for node in (first, second):
            if cluster.node_pid(node) is None:
                cluster.start_node(node)
