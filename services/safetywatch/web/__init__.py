"""What every safetywatch HTTP service shares: one refusal type and its one rendering,
field names in errors, bounded body reading, request-head limits, request metrics and
the audit trail of refusals."""

from safetywatch.web.audit import RefusalLog
from safetywatch.web.body import read_json_body
from safetywatch.web.handlers import peer_of
from safetywatch.web.head_limits import HeadRefusal, bounded_protocol
from safetywatch.web.refusals import Refusal, field_error, field_errors, invalid
from safetywatch.web.request_metrics import RequestMetrics
from safetywatch.web.service_app import service_app

__all__ = [
    "HeadRefusal",
    "Refusal",
    "RefusalLog",
    "RequestMetrics",
    "bounded_protocol",
    "field_error",
    "field_errors",
    "invalid",
    "peer_of",
    "read_json_body",
    "service_app",
]
