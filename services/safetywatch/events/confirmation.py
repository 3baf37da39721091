"""A confirmation: one level of the reporting chain has received the report of an
incident and passed it on (签收并上报). A Kafka record like a report, on the incident's
key, so it is ordered with the incident's reports and replayed with them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from safetywatch.events.report import INCIDENT_ID_PATTERN, Moment
from safetywatch.events.wire import wire_config
from safetywatch.regions import Level, UnitId


class Confirmation(BaseModel):
    """What a unit posts to ``/v1/incidents/{incident_id}/confirmations``."""

    model_config = wire_config("Confirmation", "confirmation")

    level: Level = Field(description="The level confirming: the unit's own.")
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class ConfirmationRecord(Confirmation):
    """A confirmation as stored in Kafka, stamped by the gateway."""

    model_config = wire_config("ConfirmationRecord", "confirmation-record")

    kind: Literal["confirmation"] = "confirmation"
    incident_id: Annotated[str, StringConstraints(pattern=INCIDENT_ID_PATTERN)]
    unit_id: UnitId
    received_at: Moment

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode()
