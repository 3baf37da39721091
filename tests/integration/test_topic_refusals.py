"""Issue 30: what the cluster cannot do is one sentence, not a traceback: a replication
factor beyond its brokers names the setting to lower."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka import TopicNotCreated, TopicSpec, ensure_topic
from tests.paths import ROOT

pytestmark = pytest.mark.integration


def test_more_replicas_than_brokers_is_one_sentence_naming_the_setting(
    kafka: KafkaConnectionSettings,
):
    with pytest.raises(TopicNotCreated) as refused:
        asyncio.run(ensure_topic(kafka, TopicSpec("test.replicas", replication_factor=3)))
    assert str(refused.value) == (
        f"the cluster at {kafka.bootstrap} cannot keep 3 replicas of test.replicas: "
        "SAFETYWATCH_TOPIC_REPLICATION is more than its brokers"
    )
    env = {**kafka.environment(), "SAFETYWATCH_TOPIC": "test.replicas", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "safetywatch", "topic", "ensure", "--replication-factor", "3"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"safetywatch topic ensure: {refused.value}"]
