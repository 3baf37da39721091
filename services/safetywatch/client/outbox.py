"""A directory of reports not yet accepted: nothing is lost when the network is down.

Each report is one file, written atomically before any attempt to send it, and
removed only after the gateway answered 202 for it. Refused reports move to
``refused/`` with the gateway's reasons beside them. Sending one twice is harmless:
the same incident and revision counts once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _now() -> datetime:
    return datetime.now(UTC)


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.refused_directory = directory / "refused"
        directory.mkdir(parents=True, exist_ok=True)

    def put(self, report: dict[str, Any], now: Callable[[], datetime] = _now) -> Path:
        """Queue ``report``, stamping ``reported_at`` (when the unit reported it) unless it
        carries one: lateness is judged from that, not from when the network let it
        through. The same report queued again is the same file, stamped once."""
        text = json.dumps(report, ensure_ascii=False, sort_keys=True)
        label = re.sub(r"[^A-Za-z0-9._-]", "_", str(report.get("incident_id", "report")))[:64]
        revision = re.sub(r"\D", "", str(report.get("revision", "")))[:6]
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        path = self.directory / f"{label}.r{revision}.{digest}.json"
        if not path.exists():
            stamped = {"reported_at": now().isoformat(), **report}
            partial = path.with_suffix(".partial")
            partial.write_text(
                json.dumps(stamped, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
            os.replace(partial, path)
        return path

    def pending(self) -> list[Path]:
        return sorted(self.directory.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))

    @staticmethod
    def load(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    def delivered(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def refuse(self, path: Path, status: int, errors: Any) -> Path:
        self.refused_directory.mkdir(exist_ok=True)
        target = self.refused_directory / path.name
        os.replace(path, target)
        reason = {"status": status, "errors": errors}
        target.with_suffix(".reason.json").write_text(
            json.dumps(reason, ensure_ascii=False, indent=2), "utf-8"
        )
        return target
