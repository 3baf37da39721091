"""contract §4 gauges, computed from the ledger at scrape time.

Collected on the event loop that also applies records, so one scrape is one
consistent snapshot. Until the initial replay has caught up only pipeline health
is exposed: a restarting replica shows no count series rather than wrong ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from safetywatch.accounting import Grade, Ledger, Totals, recent_quarters
from safetywatch.aggregator._pipeline import PipelineState
from safetywatch.config import AreaConfig
from safetywatch.events import Category

Clock = Callable[[], datetime]

_PER_CATEGORY: tuple[tuple[str, str, Callable[[Totals], float]], ...] = (
    ("safetywatch_deaths", "Deaths", lambda t: t.deaths),
    ("safetywatch_missing", "Missing persons", lambda t: t.missing),
    ("safetywatch_serious_injuries", "Serious injuries", lambda t: t.serious_injuries),
    ("safetywatch_minor_injuries", "Minor injuries", lambda t: t.minor_injuries),
    ("safetywatch_direct_loss_yuan", "Direct economic loss in yuan", lambda t: t.direct_loss_yuan),
    (
        "safetywatch_late_reports",
        "Incidents first reported more than 1 h late (迟报)",
        lambda t: t.late_reports,
    ),
    (
        "safetywatch_near_misses",
        "Incidents flagged as near misses (较大涉险): trapped >= 3, missing >= 3 or evacuated >= 500",
        lambda t: t.near_misses,
    ),
    (
        "safetywatch_late_supplements",
        "Revisions that changed casualty figures after the supplementary window (补报超期)",
        lambda t: t.late_supplements,
    ),
)


def names_only(*gauges: str) -> Iterator[Metric]:
    """The families a collector yields, by name only: registered with these, a scrape
    restricted with ``name[]`` collects only the collectors it names (a test keeps
    each describe() in step with its collect())."""
    return (Metric(name, "", "gauge") for name in gauges)


class LedgerCollector(Collector):
    def __init__(
        self,
        ledger: Ledger,
        area: AreaConfig,
        pipeline: PipelineState,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._ledger = ledger
        self._area = area
        self._pipeline = pipeline
        self._clock = clock

    def describe(self) -> Iterator[Metric]:
        return names_only(
            "safetywatch_region_info",
            "safetywatch_quarter_info",
            "safetywatch_incidents",
            *(name for name, _, _ in _PER_CATEGORY),
        )

    def collect(self) -> Iterator[Metric]:
        region_info = GaugeMetricFamily(
            "safetywatch_region_info",
            "Configured regions and their names",
            labels=["region", "name"],
        )
        for configured in self._area.regions:
            region_info.add_metric([configured.code, configured.name], 1)
        yield region_info
        quarters = recent_quarters(self._clock(), self._area.zone, self._area.exposed_quarters)
        # Lets a dashboard say "the current quarter" (age 0) or "the same quarter last
        # year" (age 4) in PromQL: ... and on (quarter) safetywatch_quarter_info{age="0"}.
        quarter_info = GaugeMetricFamily(
            "safetywatch_quarter_info",
            "Exposed quarters by age: 0 is the current quarter, 4 the same quarter last year",
            labels=["quarter", "age"],
        )
        for age, quarter in enumerate(quarters):
            quarter_info.add_metric([quarter.label, str(age)], 1)
        yield quarter_info
        if not self._pipeline.replay_complete:
            return

        labels = ["quarter", "region", "category"]
        incidents = GaugeMetricFamily(
            "safetywatch_incidents",
            "Incidents (not retracted), latest revision",
            labels=[*labels, "grade"],
        )
        per_category = [
            (GaugeMetricFamily(name, text, labels=labels), value)
            for name, text, value in _PER_CATEGORY
        ]
        regions = sorted(self._area.region_codes | self._ledger.regions_seen())
        for quarter in quarters:
            cells = self._ledger.cells(quarter)
            for region in regions:
                for category in Category:
                    combined = Totals()
                    for grade in Grade:
                        totals = cells.get((region, category, grade))
                        incidents.add_metric(
                            [quarter.label, region, category.value, grade.value],
                            totals.incidents if totals else 0,
                        )
                        if totals is not None:
                            combined.add(totals)
                    for family, value in per_category:
                        family.add_metric([quarter.label, region, category.value], value(combined))
        yield incidents
        for family, _ in per_category:
            yield family


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
