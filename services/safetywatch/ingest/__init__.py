"""The ingest gateway: field reports in, durable Kafka records out."""

from safetywatch.ingest._app import create_app, field_errors
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._sink import BrokerUnavailable, IngestError, KafkaReportSink, Receipt

__all__ = [
    "BrokerUnavailable",
    "GatewayMetrics",
    "IngestError",
    "KafkaReportSink",
    "Receipt",
    "create_app",
    "field_errors",
]
