"""Development tooling, not shipped: the local broker, the local stack, supervising
processes, waiting for conditions, workloads, reading topics and scrapes, and drawing
dashboards. dev/*, dev/kafka/broker, the tests and the benchmarks use it;
the services never import it."""

from dev.stack.broker import Broker, fetch, kafka_version
from dev.stack.kafka_io import LoggedRecord, end_offsets, leaders, produce_raw, read_topic
from dev.stack.national import national_area, national_counties, write_national_area
from dev.stack.polling import wait_until
from dev.stack.processes import (
    InfrastructureError,
    Supervised,
    answers,
    free_port,
    port_in_use,
    stop_pid,
    tail,
)
from dev.stack.render import render, run_query, shown_text, substitute
from dev.stack.scrape import metric_samples, sample
from dev.stack.workload import COUNTIES, realistic_records

__all__ = [
    "COUNTIES",
    "Broker",
    "InfrastructureError",
    "LoggedRecord",
    "Supervised",
    "answers",
    "end_offsets",
    "fetch",
    "free_port",
    "kafka_version",
    "leaders",
    "metric_samples",
    "national_area",
    "national_counties",
    "port_in_use",
    "produce_raw",
    "read_topic",
    "realistic_records",
    "render",
    "run_query",
    "sample",
    "shown_text",
    "stop_pid",
    "substitute",
    "tail",
    "wait_until",
    "write_national_area",
]
