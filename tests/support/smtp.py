"""A local SMTP server (aiosmtpd) that keeps every message it accepts, parsed, so a test
proves that Django's real SMTP backend delivers a readable e-mail over a real socket.

It can also answer the next messages' DATA with ``451`` (a temporary failure, as a
greylisting or overloaded relay does), so the worker's retry with backoff is tested
against the error smtplib really raises (``SMTPDataError``).

Nothing here imports Django: ``smtp_settings`` only returns the overrides.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, NamedTuple

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.processes import free_port

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"


class Mail(NamedTuple):
    """One accepted message: the SMTP envelope and the parsed message."""

    envelope_from: str
    envelope_rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        """The decoded Subject as a mail client shows it. Django 5.2 folds a long encoded
        subject onto a continuation line ("Subject: \\n =?utf-8?b?...?="), and the modern
        parser keeps that fold's leading space in ``message["Subject"]``."""
        return str(self.message["Subject"] or "").strip()

    @property
    def text(self) -> str:
        """The plain-text body (the text/plain part of a multipart message), without
        the final line break the SMTP transfer adds to a body that lacks one."""
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None, "the message has no text/plain part"
        return str(body.get_content()).removesuffix("\n")


class SmtpServer:
    """An SMTP server on 127.0.0.1 (a free port), serving on aiosmtpd's own thread.

    Use as a context manager or with ``start()``/``stop()``.
    """

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Condition()
        self._messages: list[Mail] = []
        self._failures_left = 0
        self.refused = 0  # messages answered with 451 so far
        self._controller = Controller(self, hostname=self.host, port=self.port)
        # aiosmtpd logs every SMTP command at INFO; the tests read ``messages`` instead.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._running = False

    # Life cycle ---------------------------------------------------------------------------

    def start(self) -> SmtpServer:
        assert not self._running, "the SMTP server is already running"
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop for good: Controller.stop() cancels the sessions and closes its loop, so a
        stopped server cannot start again (make a new one)."""
        if self._running:
            self._controller.stop()
            self._running = False

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Scripting and results --------------------------------------------------------------

    def fail_next(self, count: int = 1) -> None:
        """Answer the DATA of the next ``count`` messages with 451 (nothing is kept)."""
        with self._lock:
            self._failures_left += count

    @property
    def messages(self) -> list[Mail]:
        """Every accepted message, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Mail]:
        """Wait until at least ``count`` messages were accepted and return them;
        AssertionError with what did arrive if they do not come."""
        with self._lock:
            if self._lock.wait_for(lambda: len(self._messages) >= count, timeout):
                return list(self._messages)
            arrived = [(mail.envelope_rcpt_tos, mail.subject) for mail in self._messages]
        raise AssertionError(f"expected {count} message(s) within {timeout} s, got {arrived!r}")

    def clear(self) -> None:
        """Forget the messages and any scripted failures."""
        with self._lock:
            self._messages.clear()
            self._failures_left = 0
            self.refused = 0

    # aiosmtpd handler hook (runs on the controller's event loop thread) --------------------

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                self.refused += 1
                return TEMPORARY_FAILURE
        # On the wire every line ends in CRLF; as a mail client does, turn that into
        # Python's newline so an 8bit text body reads back exactly as it was written.
        raw = (envelope.original_content or b"").replace(b"\r\n", b"\n")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        mail = Mail(envelope.mail_from or "", list(envelope.rcpt_tos), message)
        with self._lock:
            self._messages.append(mail)
            self._lock.notify_all()
        return "250 Message accepted for delivery"


def smtp_settings(server: SmtpServer) -> dict[str, Any]:
    """Django settings overrides (for ``override_settings``) that send through ``server``."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": server.host,
        "EMAIL_PORT": server.port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",  # no AUTH: the test server offers none without TLS
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_TIMEOUT": 10,  # a hung test fails instead of waiting forever
    }


def smtp_environment(server: SmtpServer) -> dict[str, str]:
    """Environment for a subprocess (worker, Daphne) whose settings read EMAIL_HOST and
    EMAIL_PORT and switch to SMTP when EMAIL_HOST is set."""
    return {"EMAIL_HOST": server.host, "EMAIL_PORT": str(server.port)}


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SMTP server for one test."""
    with SmtpServer() as server:
        yield server
