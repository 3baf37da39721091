"""Kafka edges shared by the gateway, the aggregator and the tooling."""

from safetywatch.kafka._topic import DEFAULT_PARTITIONS, TopicSpec, ensure_topic

__all__ = ["DEFAULT_PARTITIONS", "TopicSpec", "ensure_topic"]
