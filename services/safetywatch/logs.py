"""Structured logging: one JSON object per line, from our code and from libraries alike."""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import msgspec
import structlog


def configure_logging(
    service: str,
    log_format: Literal["json", "console"] = "json",
    level: str = "INFO",
    *,
    cache_loggers: bool = True,
) -> None:
    """``cache_loggers``: each logger binds its output once (a service's hot path); the
    tooling, whose stdout may be swapped under it (a test's capture), binds per call."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _bind_service(service),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer()
    )
    # Our own lines go straight to stdout's bytes, rendered once (msgspec), with no
    # stdlib record in between: the gateway writes an audit line per report, and the
    # stdlib round trip was a fifth of a request's cost. Levels below ``level`` are
    # no-ops (a suppressed debug line per replayed record costs a method call).
    ours: list[structlog.types.Processor] = [*shared, structlog.processors.format_exc_info]
    if log_format == "json":
        ours.append(structlog.processors.JSONRenderer(serializer=_json_bytes))
    else:
        ours += [renderer, _encoded]
    structlog.configure(
        processors=ours,
        # A BytesLogger carries the name it was asked for (add_logger_name reads it).
        logger_factory=structlog.BytesLoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        cache_logger_on_first_use=cache_loggers,
    )
    # Libraries log through the standard library: the same JSON, through a formatter.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # A request log line per call would drown the record lines that matter.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


_ENCODER = msgspec.json.Encoder(enc_hook=str)


def _json_bytes(event: structlog.types.EventDict, **_: object) -> bytes:
    """One JSON object; whatever JSON has no type for (a path, an exception) as its str."""
    return _ENCODER.encode(event)


def _encoded(_logger: object, _name: str, text: Any) -> bytes:
    """The console renderer's text (the processor before this one) as the bytes a
    BytesLogger writes."""
    return str(text).encode("utf-8", errors="replace")


def _bind_service(service: str) -> structlog.types.Processor:
    def processor(
        _logger: object, _name: str, event: structlog.types.EventDict
    ) -> structlog.types.EventDict:
        event.setdefault("service", service)
        return event

    return processor
