"""The models' JSON Schema documents, as committed under ``schemas/`` and as the gateway
serves them to the field app: one text for both."""

from __future__ import annotations

import json

from pydantic import BaseModel

from safetywatch.events.confirmation import Confirmation, ConfirmationRecord
from safetywatch.events.documents import AlertsPage, IncidentDocument, RegisterPage
from safetywatch.events.report import IncidentRecord, IncidentReport
from safetywatch.events.wire import SCHEMA_VERSION

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    f"incident-report.v{SCHEMA_VERSION}.schema.json": IncidentReport,
    f"incident-record.v{SCHEMA_VERSION}.schema.json": IncidentRecord,
    f"confirmation.v{SCHEMA_VERSION}.schema.json": Confirmation,
    f"confirmation-record.v{SCHEMA_VERSION}.schema.json": ConfirmationRecord,
    # The aggregator's read API, as the gateway reads it.
    f"incident-document.v{SCHEMA_VERSION}.schema.json": IncidentDocument,
    f"register-page.v{SCHEMA_VERSION}.schema.json": RegisterPage,
    f"alerts-page.v{SCHEMA_VERSION}.schema.json": AlertsPage,
}

REPORT_SCHEMA_NAME = f"incident-report.v{SCHEMA_VERSION}.schema.json"


def schema_document(model: type[BaseModel]) -> str:
    """The model's JSON Schema (draft 2020-12) as text, keys sorted."""
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def schema_documents() -> dict[str, str]:
    """File name → JSON text, exactly as committed."""
    return {name: schema_document(model) for name, model in SCHEMA_MODELS.items()}
