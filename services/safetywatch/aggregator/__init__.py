"""The aggregator: replays the log into the ledger and serves counts and metrics."""

from safetywatch.aggregator._app import create_app
from safetywatch.aggregator._decode import MAX_RECORD_BYTES, InvalidReason, Rejection, decode_record
from safetywatch.aggregator._follower import LogFollower, TopicMissing
from safetywatch.aggregator._metrics import LedgerCollector, PipelineCollector
from safetywatch.aggregator._pipeline import InvalidRecord, PipelineState

__all__ = [
    "MAX_RECORD_BYTES",
    "InvalidReason",
    "InvalidRecord",
    "LedgerCollector",
    "LogFollower",
    "PipelineCollector",
    "PipelineState",
    "Rejection",
    "TopicMissing",
    "create_app",
    "decode_record",
]
