"""The Kafka edge shared by the gateway, the aggregator and the tooling: the topic, reading
the log from its beginning, durable writes, and the errors that say what to retry."""

from safetywatch.kafka.connection import KafkaConnection, client_options, verify_access
from safetywatch.kafka.errors import (
    BrokerUnavailable,
    KafkaAccessRefused,
    TopicNotCreated,
    is_retriable,
)
from safetywatch.kafka.log import end_offsets, new_consumer, open_log
from safetywatch.kafka.producer import DurableProducer
from safetywatch.kafka.topic import TopicSpec, ensure_topic

__all__ = [
    "BrokerUnavailable",
    "DurableProducer",
    "KafkaAccessRefused",
    "KafkaConnection",
    "TopicNotCreated",
    "TopicSpec",
    "client_options",
    "end_offsets",
    "ensure_topic",
    "is_retriable",
    "new_consumer",
    "open_log",
    "verify_access",
]
