"""The aggregator: replays the log into the ledger, follows its tail, and serves the
counts, the alerts and its own health."""

from safetywatch.aggregator._alerts import AlertBoard, AlertCollector
from safetywatch.aggregator._app import aggregator_app, create_app
from safetywatch.aggregator._applier import RecordApplier
from safetywatch.aggregator._chain_metrics import ChainCollector
from safetywatch.aggregator._checkpoint import (
    STATE_PACKAGES,
    CheckpointIgnored,
    Checkpoints,
    code_fingerprint,
    fingerprint,
)
from safetywatch.aggregator._counts import LedgerCollector, exposed_periods
from safetywatch.aggregator._follower import LogFollower
from safetywatch.aggregator._metrics import PipelineCollector
from safetywatch.aggregator._pipeline import InvalidRecord, PipelineState
from safetywatch.aggregator._record_file import RecordFile
from safetywatch.aggregator._service import Aggregator
from safetywatch.events import MAX_RECORD_BYTES, InvalidReason, Rejection, decode_record

__all__ = [
    "MAX_RECORD_BYTES",
    "STATE_PACKAGES",
    "Aggregator",
    "AlertBoard",
    "AlertCollector",
    "ChainCollector",
    "CheckpointIgnored",
    "Checkpoints",
    "InvalidReason",
    "InvalidRecord",
    "LedgerCollector",
    "LogFollower",
    "PipelineCollector",
    "PipelineState",
    "RecordApplier",
    "RecordFile",
    "Rejection",
    "aggregator_app",
    "code_fingerprint",
    "create_app",
    "decode_record",
    "exposed_periods",
    "fingerprint",
]
