"""Starting, watching and stopping the processes of a local stack: one way to do it for
dev/up, the broker, the test harness and the benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from dev.stack.polling import wait_until


class InfrastructureError(Exception):
    """A real service could not be started: in the tests a failure, never a skip."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} does not exist)"


def answers(url: str, timeout: float = 2) -> int:
    """The HTTP status at ``url``; 0 when nothing answers."""
    try:
        return httpx.get(url, timeout=timeout).status_code
    except httpx.TransportError:
        return 0


def pid_in(path: Path) -> int | None:
    """The pid a pid file names, if that process still exists."""
    try:
        pid = int(path.read_text())
    except (OSError, ValueError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


def _copy_lines(process: subprocess.Popen[bytes], log_path: Path) -> None:
    assert process.stdout is not None
    with log_path.open("ab") as log:
        for line in process.stdout:
            log.write(line)
            log.flush()


@dataclass
class Supervised:
    """A process started with its output in a log file (and its pid in a file, when
    given), ready when an HTTP URL answers 200."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(
        cls,
        name: str,
        command: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        *,
        cwd: Path | None = None,
        detach: bool = False,
        preexec: Callable[[], None] | None = None,
        through_pipe: bool = False,
    ) -> Supervised:
        """``detach`` keeps the process running after this one exits (dev/up);
        ``through_pipe`` sends its output through a pipe (a file-size limit set in
        ``preexec`` then binds only the files it writes itself)."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        environment = dict(env) if env is not None else dict(os.environ)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                list(command),
                env=environment,
                stdout=subprocess.PIPE if through_pipe else log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=cwd,
                start_new_session=detach,
                preexec_fn=preexec,
            )
        if through_pipe:
            threading.Thread(target=_copy_lines, args=(process, log_path), daemon=True).start()
        return cls(name, process, log_path)

    def log(self, lines: int = 40) -> str:
        return tail(self.log_path, lines)

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, url: str, timeout: float = 90, interval: float = 0.2) -> None:
        """Until ``url`` answers 200; InfrastructureError with the log if the process
        exits or the time runs out."""

        def ready() -> bool:
            if not self.alive():
                raise InfrastructureError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log()}"
                )
            return answers(url) == 200

        try:
            wait_until(ready, timeout, f"{self.name} at {url} to be ready", interval=interval)
        except AssertionError as error:
            raise InfrastructureError(f"{error}\n{self.log()}") from None

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int:
        return stop_pid(self.process.pid, sig, timeout, self.process)


def stop_pid(
    pid: int,
    sig: signal.Signals = signal.SIGTERM,
    timeout: float = 20,
    process: subprocess.Popen[bytes] | None = None,
) -> int:
    """Signal ``pid``, wait for it to end, SIGKILL it after ``timeout``; its exit status
    when it is our child, else 0."""

    def gone() -> bool:
        if process is not None:
            return process.poll() is not None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    if gone():
        return process.returncode if process is not None else 0
    os.kill(pid, sig)
    try:
        wait_until(gone, timeout, f"process {pid} to end", interval=0.1)
    except AssertionError:
        os.kill(pid, signal.SIGKILL)
        wait_until(gone, 10, f"process {pid} to be killed", interval=0.1)
    return process.returncode if process is not None else 0
