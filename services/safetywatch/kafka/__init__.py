"""The Kafka edge shared by the gateway, the aggregator and the tooling: the topic, reading
the log from its beginning, durable writes, and the errors that say what to retry."""

from safetywatch.kafka._errors import BrokerUnavailable, TopicMissing, is_retriable
from safetywatch.kafka._log import LogReader, end_offsets, new_consumer, open_log, partitions_of
from safetywatch.kafka._producer import PRODUCER_STATE_LOST, DurableProducer, Receipt
from safetywatch.kafka._replay_reader import ReadBatch, ReaderPlan, read_beside
from safetywatch.kafka._topic import DEFAULT_PARTITIONS, TopicSpec, ensure_topic

__all__ = [
    "DEFAULT_PARTITIONS",
    "PRODUCER_STATE_LOST",
    "BrokerUnavailable",
    "DurableProducer",
    "LogReader",
    "ReadBatch",
    "ReaderPlan",
    "Receipt",
    "TopicMissing",
    "TopicSpec",
    "end_offsets",
    "ensure_topic",
    "is_retriable",
    "new_consumer",
    "open_log",
    "partitions_of",
    "read_beside",
]
