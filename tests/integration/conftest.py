"""Session-wide real Kafka, a fresh topic per test, and service processes per test."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev.stack import Broker, InfrastructureError
from safetywatch.config import KafkaConnectionSettings, load_role
from safetywatch.kafka.topic import TopicSpec, ensure_topic
from tests.integration.harness import Services


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaConnectionSettings]:
    """A real broker: the one SAFETYWATCH_KAFKA_BOOTSTRAP names (connected to as the
    environment says), or one started here."""
    if os.environ.get("SAFETYWATCH_KAFKA_BOOTSTRAP"):
        yield load_role(KafkaConnectionSettings)
        return
    broker = Broker(tmp_path_factory.mktemp("kafka"))
    try:
        broker.start()
    except InfrastructureError as error:
        pytest.fail(str(error), pytrace=False)
    yield broker.connection()
    broker.stop()


@pytest.fixture
def topic(kafka: KafkaConnectionSettings, request: pytest.FixtureRequest) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "-", request.node.name)[:80]
    topic_name = f"test.{name}.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topic(kafka, TopicSpec(topic_name)))
    return topic_name


@pytest.fixture
def services(kafka: KafkaConnectionSettings, topic: str, tmp_path: Path) -> Iterator[Services]:
    runner = Services(kafka, topic, tmp_path)
    yield runner
    runner.close()
