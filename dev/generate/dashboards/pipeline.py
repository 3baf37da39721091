"""数据管道健康 / Pipeline health: gateway, Kafka lag, aggregator replicas."""

from __future__ import annotations

from dev.generate.dashboards.model import Dashboard, Panel, Query

RATE = "$__rate_interval"

PIPELINE = Dashboard(
    uid="safetywatch-pipeline",
    title="数据管道健康",
    description="Pipeline health: gateway requests, errors and latency, produce failures, "
    "aggregator lag, time since the last applied record, invalid records, replica agreement.",
    rows=(
        (
            Panel(
                "网关请求速率",
                "Gateway requests per second by status",
                "timeseries",
                (
                    Query(
                        f"sum by (status) (rate(safetywatch_gateway_requests_total[{RATE}]))",
                        "{{status}}",
                        instant=False,
                    ),
                ),
                width=8,
                unit="reqps",
            ),
            Panel(
                "网关错误率",
                "Share of gateway answers that are 5xx",
                "timeseries",
                (
                    Query(
                        f'(sum(rate(safetywatch_gateway_requests_total{{status=~"5.."}}[{RATE}])) or vector(0)) '
                        f"/ sum(rate(safetywatch_gateway_requests_total[{RATE}]))",
                        "5xx",
                        instant=False,
                    ),
                ),
                width=8,
                unit="percentunit",
            ),
            Panel(
                "网关延迟 p50 / p99",
                "Gateway latency percentiles for POST /v1/incidents",
                "timeseries",
                (
                    Query(
                        f'histogram_quantile(0.5, sum by (le) (rate(safetywatch_gateway_request_duration_seconds_bucket{{route="/v1/incidents"}}[{RATE}])))',
                        "p50",
                        instant=False,
                    ),
                    Query(
                        f'histogram_quantile(0.99, sum by (le) (rate(safetywatch_gateway_request_duration_seconds_bucket{{route="/v1/incidents"}}[{RATE}])))',
                        "p99",
                        instant=False,
                    ),
                ),
                width=8,
                unit="s",
            ),
        ),
        (
            Panel(
                "写入 Kafka 失败",
                "Reports Kafka did not acknowledge (answered 503)",
                "stat",
                (Query("sum(safetywatch_gateway_produce_failures_total)"),),
                width=6,
                thresholds=((0, "green"), (1, "red")),
            ),
            Panel(
                "消费延迟",
                "Aggregator lag: records behind the end of each partition, worst replica",
                "timeseries",
                (
                    Query(
                        "max by (partition) (safetywatch_consumer_lag)",
                        "partition {{partition}}",
                        instant=False,
                    ),
                ),
                width=6,
            ),
            Panel(
                "距最后一条记录",
                "Seconds since each replica applied its last record",
                "stat",
                (Query("time() - safetywatch_last_applied_timestamp_seconds", "{{instance}}"),),
                width=6,
                unit="s",
            ),
            Panel(
                "无效记录",
                "Records skipped as invalid, by reason",
                "stat",
                (
                    Query(
                        "max by (reason) (safetywatch_invalid_records) or vector(0)", "{{reason}}"
                    ),
                ),
                width=6,
                thresholds=((0, "green"), (1, "orange")),
            ),
        ),
        (
            Panel(
                "副本一致性",
                "Replica agreement: largest minus smallest incident total across ready replicas (0 = agree)",
                "stat",
                (
                    Query(
                        "max(sum by (instance) (safetywatch_incidents)) - min(sum by (instance) (safetywatch_incidents))"
                    ),
                ),
                width=8,
                thresholds=((0, "green"), (1, "red")),
            ),
            Panel(
                "就绪副本数",
                "Aggregator replicas whose replay caught up",
                "stat",
                (Query("sum(safetywatch_replay_complete)"),),
                width=8,
                thresholds=((0, "red"), (1, "orange"), (2, "green")),
            ),
            Panel(
                "记录处理速率",
                "Records read per second by outcome",
                "timeseries",
                (
                    Query(
                        f"max without (instance, job) (rate(safetywatch_records_total[{RATE}]))",
                        "{{outcome}}",
                        instant=False,
                    ),
                ),
                width=8,
            ),
        ),
    ),
    time_from="now-1h",
)
