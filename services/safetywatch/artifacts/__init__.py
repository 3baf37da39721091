"""Files generated from the code, each with a drift check: the JSON Schemas of the event
model, the Grafana dashboards, the README's settings table, the field app's retry
rules, and the runnable
Alertmanager configuration (rendered per deployment, never committed)."""

from safetywatch.artifacts.alertmanager import write_alertmanager_config
from safetywatch.artifacts.dashboards.model import Dashboard, Panel, Query
from safetywatch.artifacts.generated import stale_files, write_generated_files

__all__ = [
    "Dashboard",
    "Panel",
    "Query",
    "stale_files",
    "write_alertmanager_config",
    "write_generated_files",
]
