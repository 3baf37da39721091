"""The aggregator's pipeline-health gauges (contract §4)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from safetywatch.accounting import Ledger
from safetywatch.aggregator.metrics import names_only
from safetywatch.aggregator.pipeline import PipelineState


class PipelineCollector(Collector):
    def __init__(self, ledger: Ledger, pipeline: PipelineState) -> None:
        self._ledger = ledger
        self._pipeline = pipeline

    def describe(self) -> Iterator[Metric]:
        yield Metric("safetywatch_records", "", "counter")
        yield from names_only(
            "safetywatch_invalid_records",
            "safetywatch_consumer_lag",
            "safetywatch_replay_complete",
            "safetywatch_last_applied_timestamp_seconds",
            "safetywatch_incidents_tracked",
            "safetywatch_follower_up",
            "safetywatch_follower_last_poll_timestamp_seconds",
            "safetywatch_broker_reachable",
            "safetywatch_broker_last_contact_timestamp_seconds",
            "safetywatch_ledger_compiled",
        )

    def collect(self) -> Iterator[Metric]:
        pipeline = self._pipeline
        records = CounterMetricFamily(
            "safetywatch_records", "Records read from the topic, by outcome", labels=["outcome"]
        )
        for outcome in ("applied", "duplicate", "stale", "conflict", "invalid"):
            records.add_metric([outcome], pipeline.outcomes.get(outcome, 0))
        yield records
        invalid = GaugeMetricFamily(
            "safetywatch_invalid_records",
            "Records skipped as invalid, by reason",
            labels=["reason"],
        )
        for reason, count in sorted(pipeline.invalid_by_reason.items()):
            invalid.add_metric([reason.value], count)
        yield invalid
        lag = GaugeMetricFamily(
            "safetywatch_consumer_lag", "Records behind the partition's end", labels=["partition"]
        )
        for partition, behind in sorted(pipeline.lag.items()):
            lag.add_metric([str(partition)], behind)
        yield lag
        yield from self._progress()

    def _progress(self) -> Iterator[Metric]:
        """Where the replay and the follower are, and what the ledger holds."""
        pipeline = self._pipeline
        yield GaugeMetricFamily(
            "safetywatch_replay_complete",
            "1 once the initial replay from the beginning of the log caught up",
            value=int(pipeline.replay_complete),
        )
        if pipeline.last_applied_unix is not None:
            yield GaugeMetricFamily(
                "safetywatch_last_applied_timestamp_seconds",
                "Unix time at which the last record was applied",
                value=pipeline.last_applied_unix,
            )
        yield GaugeMetricFamily(
            "safetywatch_incidents_tracked", "Incidents held in memory", value=len(self._ledger)
        )
        yield GaugeMetricFamily(
            "safetywatch_ledger_compiled",
            "1 when the ledger keeps its incidents in the compiled rows; 0 when this "
            "installation has none and it keeps the Python rows (slower, larger)",
            value=int(self._ledger.storage.compiled),
        )
        yield GaugeMetricFamily(
            "safetywatch_follower_up",
            "1 while the log follower runs; 0 while it retries an error or after it failed",
            value=int(pipeline.follower_up and pipeline.failure is None),
        )
        if pipeline.last_poll_unix is not None:
            yield GaugeMetricFamily(
                "safetywatch_follower_last_poll_timestamp_seconds",
                "Unix time at which the follower last completed a poll of the broker",
                value=pipeline.last_poll_unix,
            )
        yield GaugeMetricFamily(
            "safetywatch_broker_reachable",
            "1 when the broker answered the lag monitor's last request for end offsets",
            value=int(pipeline.broker_reachable),
        )
        if pipeline.broker_contact_unix is not None:
            yield GaugeMetricFamily(
                "safetywatch_broker_last_contact_timestamp_seconds",
                "Unix time at which the broker last reported the partitions' end offsets",
                value=pipeline.broker_contact_unix,
            )
