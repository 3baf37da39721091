"""The ingest gateway: field reports in, durable Kafka records out."""

from safetywatch.ingest._admission import admit
from safetywatch.ingest._gateway import Gateway, create_app
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._sink import BrokerUnavailable, IngestError, KafkaReportSink, Receipt

__all__ = [
    "BrokerUnavailable",
    "Gateway",
    "GatewayMetrics",
    "IngestError",
    "KafkaReportSink",
    "Receipt",
    "admit",
    "create_app",
]
