"""What the gateway's routes share: the gateway, the authenticated unit, and the\nrequest-body schemas they declare to OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from safetywatch.ingest.admission import authenticate
from safetywatch.ingest.gateway import Gateway
from safetywatch.units import Unit


def inlined_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON Schema with its $defs inlined, so it can stand inside OpenAPI."""
    definitions = schema.pop("$defs", {})
    schema.pop("$id", None)

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def request_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.service
    return gateway


# Dependencies are coroutines: a plain function would run in a worker thread, a
# thread hop per request (and a read of the state from outside its event loop).
GatewayDep = Annotated[Gateway, Depends(gateway_of)]


async def unit_of(request: Request, gateway: GatewayDep) -> Unit:
    """The unit the request's token names; 401 (audited) otherwise."""
    unit = authenticate(gateway.registry, request.headers.get("authorization"))
    request.state.unit = unit  # the audit line names the unit of a refused request
    return unit


UnitDep = Annotated[Unit, Depends(unit_of)]
