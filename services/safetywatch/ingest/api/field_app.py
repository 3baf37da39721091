"""The field app, served by the gateway at ``/app/``: same origin as the API, so one
address for units and no CORS, and a strict Content-Security-Policy on every file.

The files are read once at start-up. The service worker's text names the app's files
and a version made from their content, so a changed app replaces the one phones hold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from safetywatch.web import Refusal

router = APIRouter()

#: No inline script or style, nothing from another origin; the API is the same origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
APP_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=()",
    # Always asked again; the service worker keeps the copy that works offline.
    "Cache-Control": "no-cache",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SERVICE_WORKER = "sw.js"


@dataclass(frozen=True)
class AppFile:
    body: bytes
    media_type: str


def _walk(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            found |= _walk(entry, name + "/")
        elif any(name.endswith(suffix) for suffix in MEDIA_TYPES):
            found[name] = entry.read_bytes()
    return found


def load_app(folder: Traversable | None = None) -> dict[str, AppFile]:
    """Path under /app/ → file; the service worker filled in with the shell's files
    and their version."""
    texts = _walk(folder or resources.files("safetywatch.ingest") / "field_app")
    version = hashlib.sha256(b"".join(texts[name] for name in sorted(texts))).hexdigest()[:16]
    shell = ["./", *sorted(name for name in texts if name not in (SERVICE_WORKER, "index.html"))]
    worker = (
        texts[SERVICE_WORKER]
        .decode()
        .replace('/*VERSION*/"dev"/*VERSION*/', json.dumps(version))
        .replace("/*SHELL*/[]/*SHELL*/", json.dumps(shell))
    )
    texts[SERVICE_WORKER] = worker.encode()
    texts[""] = texts["index.html"]
    return {
        name: AppFile(body, MEDIA_TYPES[name[name.rfind(".") :]] if name else MEDIA_TYPES[".html"])
        for name, body in texts.items()
    }


APP = load_app()


@router.get("/app", include_in_schema=False)
async def app_root() -> RedirectResponse:
    return RedirectResponse("/app/", status_code=308)


@router.get("/app/{path:path}", include_in_schema=False)
async def app_file(path: str) -> Response:
    found = APP.get(path)
    if found is None:
        raise Refusal(404, f"no file {path} in the app")
    return Response(found.body, media_type=found.media_type, headers=APP_HEADERS)
