"""The ingest gateway: field reports in, durable Kafka records out; the field app and
a unit's own reads."""

from safetywatch.ingest.app import gateway_app
from safetywatch.ingest.gateway import Gateway

__all__ = [
    "Gateway",
    "gateway_app",
]
