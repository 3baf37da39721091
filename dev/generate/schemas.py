"""JSON Schema documents generated from the models, committed under ``schemas/``."""

from __future__ import annotations

from safetywatch.events import schema_documents

__all__ = ["schema_documents"]
