"""safetywatch: field incident reports through Kafka into quarterly counts and alerts."""

from safetywatch import compiled as _compiled

__version__ = "0.1.0"

# Before anything imports the rules: a compiled copy older than its source is not used.
_compiled.use_sources_if_stale()
