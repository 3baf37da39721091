"""A bureau's mail server, locally: aiosmtpd requiring STARTTLS (a certificate of its own
CA, made with openssl) and then authentication, keeping every message it accepts."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dev.stack import free_port

USER, PASSWORD = "alerts@safetywatch.example", "mail-secret-4d2"


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the CA file Alertmanager is given."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Received:
    """One accepted message: who it went to, over TLS or not, by whom, and the message."""

    recipients: list[str]
    tls: bool
    login: str | None
    message: EmailMessage


@dataclass
class MailServer:
    directory: Path
    received: list[Received] = field(default_factory=list)
    refused_logins: int = 0
    #: When the last message arrived (monotonic), to tell when the server has gone quiet.
    last_received: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        cert, key = certificate(self.directory)
        self.ca_file = cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server = self

        class Handler:
            async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                login = session.auth_data if session.authenticated else None
                with server.lock:
                    server.last_received = time.monotonic()
                    server.received.append(
                        Received(
                            list(envelope.rcpt_tos),
                            session.ssl is not None,
                            login,
                            message,
                        )
                    )
                return "250 OK"

        def authenticate(
            _server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            good = (
                isinstance(data, LoginPassword)
                and data.login.decode() == USER
                and data.password.decode() == PASSWORD
            )
            if not good:
                with server.lock:
                    server.refused_logins += 1
            login = data.login.decode() if isinstance(data, LoginPassword) else None
            return AuthResult(success=good, handled=False, auth_data=login)

        port = free_port()
        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=port,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticate,
            auth_required=True,
            auth_require_tls=True,
            # PLAIN, as bureaus' servers offer it: aiosmtpd's LOGIN challenges ("User
            # Name") are not the usual "Username:" that Alertmanager's client expects.
            auth_exclude_mechanism=["LOGIN"],
        )
        self.controller.start()
        return f"127.0.0.1:{port}"

    def stop(self) -> None:
        self.controller.stop()

    def quiet_for(self, seconds: float) -> bool:
        with self.lock:
            return time.monotonic() - self.last_received >= seconds

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.recipients]
