"""Errors at the Kafka edge, under safetywatch's one root; ``retriable`` says whether the
same operation may succeed later (the retry logic reads it, as aiokafka's does)."""

from __future__ import annotations

from aiokafka.errors import KafkaError

from safetywatch.errors import SafetywatchError


class BrokerUnavailable(SafetywatchError):
    """Kafka did not acknowledge a write in time; nothing was acknowledged to the client."""

    retriable = True


class TopicMissing(SafetywatchError):
    """The topic does not exist: create it (``safetywatch topic ensure``), then start again."""

    retriable = False


class TopicNotCreated(SafetywatchError):
    """The topic could not be created: Kafka unreachable, or it refused; the message says
    which, in one sentence."""

    retriable = False


class KafkaAccessRefused(SafetywatchError):
    """The brokers answer but refuse this client: a wrong password, an untrusted
    certificate, a principal without an ACL. The message names the setting to fix;
    retrying the same settings cannot succeed."""

    retriable = False


def is_retriable(error: BaseException) -> bool:
    """Ours and aiokafka's errors both carry ``retriable``; nothing else is retried."""
    return isinstance(error, SafetywatchError | KafkaError) and bool(error.retriable)
