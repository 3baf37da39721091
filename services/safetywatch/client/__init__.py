"""The field client: read reports, keep them in an outbox, deliver them when possible."""

from safetywatch.client.command import DEFAULT_OUTBOX, gateway_client, post_report, report_command
from safetywatch.client.deliver import BASE_DELAY_S, BATCH_SIZE, MAX_DELAY_S, RETRIABLE_STATUS
from safetywatch.client.formats import ReportFileError
from safetywatch.client.history import import_command

__all__ = [
    "BASE_DELAY_S",
    "BATCH_SIZE",
    "DEFAULT_OUTBOX",
    "MAX_DELAY_S",
    "RETRIABLE_STATUS",
    "ReportFileError",
    "gateway_client",
    "import_command",
    "post_report",
    "report_command",
]
