"""JSON Schema documents generated from the models, committed under ``schemas/``."""

from __future__ import annotations

import json

from pydantic import BaseModel

from safetywatch.events import (
    SCHEMA_VERSION,
    Confirmation,
    ConfirmationRecord,
    IncidentRecord,
    IncidentReport,
)


def schema_documents() -> dict[str, str]:
    """File name → JSON text, exactly as committed."""
    documents: dict[str, type[BaseModel]] = {
        f"incident-report.v{SCHEMA_VERSION}.schema.json": IncidentReport,
        f"incident-record.v{SCHEMA_VERSION}.schema.json": IncidentRecord,
        f"confirmation.v{SCHEMA_VERSION}.schema.json": Confirmation,
        f"confirmation-record.v{SCHEMA_VERSION}.schema.json": ConfirmationRecord,
    }
    return {
        name: json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                **model.model_json_schema(),
            },
            indent=2,
            ensure_ascii=False,
            sort_keys=True,
        )
        + "\n"
        for name, model in documents.items()
    }
