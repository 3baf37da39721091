"""How far behind the log the follower is, asked of the broker on its own schedule."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from safetywatch.aggregator.pipeline import PipelineState

log = structlog.get_logger("safetywatch.aggregator")

#: How often the lag monitor asks the broker for the partitions' end offsets.
LAG_INTERVAL_SECONDS = 2.0


async def monitor_lag(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], pipeline: PipelineState
) -> None:
    """Asks the broker for the partitions' ends on its own schedule, so lag keeps
    growing in /metrics while the follower is stuck (its own loop cannot say so)."""
    while True:
        try:
            ends = await asyncio.wait_for(consumer.end_offsets(partitions), timeout=10)
        except (KafkaError, TimeoutError) as error:
            if pipeline.broker_reachable:
                log.warning("broker_unreachable", error=repr(error))
            pipeline.broker_reachable = False
        else:
            pipeline.broker_reachable = True
            pipeline.broker_contact_unix = time.time()
            note_ends(pipeline, ends)
        await asyncio.sleep(LAG_INTERVAL_SECONDS)


def note_ends(pipeline: PipelineState, ends: Mapping[TopicPartition, int]) -> None:
    for tp, end in ends.items():
        pipeline.lag[tp.partition] = max(0, end - pipeline.next_offset.get(tp.partition, 0))
