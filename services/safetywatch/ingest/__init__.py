"""The ingest gateway: field reports in, durable Kafka records out."""

from safetywatch.ingest._admission import admit
from safetywatch.ingest._app import create_app, gateway_app
from safetywatch.ingest._gateway import Gateway
from safetywatch.ingest._limits import RateLimiter
from safetywatch.ingest._metrics import GatewayMetrics

__all__ = [
    "Gateway",
    "GatewayMetrics",
    "RateLimiter",
    "admit",
    "create_app",
    "gateway_app",
]
