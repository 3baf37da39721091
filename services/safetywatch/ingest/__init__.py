"""The ingest gateway: field reports in, durable Kafka records out; the field app and
a unit's own reads."""

from safetywatch.ingest._admission import admit
from safetywatch.ingest._app import create_app, gateway_app
from safetywatch.ingest._app_routes import APP_HEADERS, AppFile, load_app
from safetywatch.ingest._gateway import Gateway
from safetywatch.ingest._limits import RateLimiter
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._unit_routes import SCHEMAS, unit_document

__all__ = [
    "APP_HEADERS",
    "SCHEMAS",
    "AppFile",
    "Gateway",
    "GatewayMetrics",
    "RateLimiter",
    "admit",
    "create_app",
    "gateway_app",
    "load_app",
    "unit_document",
]
