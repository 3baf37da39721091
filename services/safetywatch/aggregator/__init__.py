"""The aggregator: replays the log into the ledger, follows its tail, and serves the
counts, the alerts and its own health.

Its rooms, lowest first: ``clock`` and ``pipeline`` (what it knows of its progress),
``state`` (the record file and checkpoints), ``follow`` (reading the log and applying
it), ``alerts`` (the evaluation board), ``metrics`` (the collectors), ``service`` (the
object that owns them), ``api`` (the read API) and ``app``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safetywatch.aggregator.app import aggregator_app
    from safetywatch.aggregator.follow.applier import RecordApplier
    from safetywatch.aggregator.follow.replay_reader import ReadBatch
    from safetywatch.aggregator.pipeline import PipelineState
    from safetywatch.aggregator.service import Aggregator

__all__ = ["Aggregator", "PipelineState", "ReadBatch", "RecordApplier", "aggregator_app"]

#: Imported on first use: the replay's reader process imports ``aggregator.follow``,
#: and with the web stack behind this package it started in 0.42 s instead of 0.18.
_WHERE = {
    "Aggregator": "safetywatch.aggregator.service",
    "aggregator_app": "safetywatch.aggregator.app",
    # what the applying's benchmark drives (dev/benchmarks/applying.py)
    "PipelineState": "safetywatch.aggregator.pipeline",
    "ReadBatch": "safetywatch.aggregator.follow.replay_reader",
    "RecordApplier": "safetywatch.aggregator.follow.applier",
}


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
