"""``python -m dev.stack.mail_sink PORT DIRECTORY``: the demo's mail server. It keeps
every message it is given as ``DIRECTORY/NNNN.eml``, so that ``up --demo`` can show the
first email a duty officer would receive (a bureau's own server is set with the
SMTP settings)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = len(list(directory.glob("*.eml")))

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.count += 1
        (self.directory / f"{self.count:04d}.eml").write_bytes(envelope.content)
        return "250 OK"


def main(argv: list[str]) -> int:
    port, directory = int(argv[0]), Path(argv[1])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keep(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"mail sink: listening on 127.0.0.1:{port}, keeping messages in {directory}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
