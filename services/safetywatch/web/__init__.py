"""What every safetywatch HTTP service shares: one refusal type and its one rendering,
field names in errors, bounded body reading, request-head limits, request metrics and
the audit trail of refusals."""

from safetywatch.web._audit import RefusalLog
from safetywatch.web._body import is_json_content_type, read_json_body
from safetywatch.web._handlers import RefusalHook, install_refusal_handlers, peer_of, render
from safetywatch.web._head_limits import HeadRefusal, bounded_protocol
from safetywatch.web._refusals import (
    FieldError,
    Refusal,
    field_error,
    field_errors,
    field_name,
    invalid,
)
from safetywatch.web._request_metrics import RequestMetrics
from safetywatch.web._service_app import service_app

__all__ = [
    "FieldError",
    "HeadRefusal",
    "Refusal",
    "RefusalHook",
    "RefusalLog",
    "RequestMetrics",
    "bounded_protocol",
    "field_error",
    "field_errors",
    "field_name",
    "install_refusal_handlers",
    "invalid",
    "is_json_content_type",
    "peer_of",
    "read_json_body",
    "render",
    "service_app",
]
