"""safetywatch: field incident reports through Kafka into quarterly counts and alerts."""

__version__ = "0.1.0"
