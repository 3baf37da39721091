"""Creating the topic where Kafka cannot be reached is one sentence naming the setting."""

from __future__ import annotations

import asyncio
import socket

import pytest

from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka import TopicNotCreated, TopicSpec, ensure_topic


def plain(bootstrap: str) -> KafkaConnectionSettings:
    return KafkaConnectionSettings.from_mapping({"SAFETYWATCH_KAFKA_BOOTSTRAP": bootstrap})


def test_an_unreachable_broker_is_said_in_one_sentence():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TopicNotCreated) as refused:
        asyncio.run(ensure_topic(plain(f"127.0.0.1:{port}"), TopicSpec("t")))
    assert str(refused.value) == (
        f"cannot reach Kafka at 127.0.0.1:{port} (SAFETYWATCH_KAFKA_BOOTSTRAP): "
        "KafkaConnectionError"
    )
