"""The one root of safetywatch's own errors.

As in aiokafka, every error says whether trying the same thing again may succeed
(``retriable``), and the code that retries reads that flag rather than a list of types.
Each error is defined with the concept it belongs to and derives from this root (a test
holds every exception class of the package to it): ``ConfigError`` (config), ``Refusal``
(web: an HTTP refusal, retriable for 408, 429 and 503), ``BrokerUnavailable`` and
``TopicMissing`` (kafka), ``BadCursor`` (accounting), ``ReportFileError`` (client),
``CompiledRowsUnavailable`` (native), and the aggregator's ``CheckpointIgnored``,
``Unreadable``, ``StateDirectoryBusy`` and ``ReaderFailed``.
"""

from __future__ import annotations


class SafetywatchError(Exception):
    """Base of every error safetywatch raises on purpose."""

    retriable = False


class StateUnavailable(SafetywatchError):
    """The aggregator's state directory refused a read or write (full, read-only, failing).

    Nothing was lost: what could not be written is still held, and the same operation is
    tried again until the directory serves it."""

    retriable = True
