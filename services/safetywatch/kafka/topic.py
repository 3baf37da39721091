"""The incidents topic (contract §1): keyed by incident_id, infinite retention."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import InvalidReplicationFactorError, KafkaError, TopicAlreadyExistsError

from safetywatch.kafka.connection import KafkaConnection, client_options, verify_access
from safetywatch.kafka.errors import TopicNotCreated

log = structlog.get_logger("safetywatch.kafka")

DEFAULT_PARTITIONS = 6


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = DEFAULT_PARTITIONS
    replication_factor: int = 1

    @property
    def min_insync_replicas(self) -> int:
        # A majority of the replicas acknowledges every write (acks=all): 2 of 3 keeps
        # accepting reports with one broker down, and no acknowledged report is on one
        # disk only.
        return self.replication_factor // 2 + 1

    @property
    def configs(self) -> dict[str, str]:
        # The log is the system of record: nothing may ever age out of it.
        return {
            "retention.ms": "-1",
            "cleanup.policy": "delete",
            "min.insync.replicas": str(self.min_insync_replicas),
        }


async def ensure_topic(connection: KafkaConnection, spec: TopicSpec) -> bool:
    """Create the topic unless it exists; True when this call created it."""
    bootstrap = connection.bootstrap
    admin = AIOKafkaAdminClient(**client_options(connection), request_timeout_ms=15000)
    try:
        await admin.start()
    except KafkaError as error:
        await admin.close()
        # A broker that answers but refuses us says why (ConfigError naming the setting).
        await verify_access(connection, spec.name)
        raise TopicNotCreated(
            f"cannot reach Kafka at {bootstrap} (SAFETYWATCH_KAFKA_BOOTSTRAP): "
            f"{type(error).__name__}"
        ) from None
    try:
        response = await admin.create_topics(
            [
                NewTopic(
                    spec.name, spec.partitions, spec.replication_factor, topic_configs=spec.configs
                )
            ]
        )
        for _topic, code, message in response.topic_errors:
            if code == TopicAlreadyExistsError.errno:
                log.info("topic_exists", topic=spec.name)
                return False
            if code == InvalidReplicationFactorError.errno:
                raise TopicNotCreated(
                    f"the cluster at {bootstrap} cannot keep {spec.replication_factor} replicas "
                    f"of {spec.name}: SAFETYWATCH_TOPIC_REPLICATION is more than its brokers"
                )
            if code != 0:
                raise TopicNotCreated(f"Kafka refused to create {spec.name}: {message or code}")
        log.info(
            "topic_created",
            topic=spec.name,
            partitions=spec.partitions,
            replication_factor=spec.replication_factor,
            configs=spec.configs,
        )
        return True
    finally:
        await admin.close()
