"""The files generated from the code and committed, each with a drift check: the JSON
Schemas, the incident's layouts (Python and C) and docs/figures.md, the Grafana
dashboards, docs/grading.md, the settings table of docs/operations.md and the field
app's retry rules. ``python -m dev.generate`` writes them; ``--check`` names the ones that
drifted (the test command runs it)."""

from dev.generate.dashboards.model import Dashboard, Panel, Query
from dev.generate.generated import generated_files, stale_files, write_generated_files

__all__ = ["Dashboard", "Panel", "Query", "generated_files", "stale_files", "write_generated_files"]
