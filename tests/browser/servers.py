"""Fixtures for browser tests that need more than the session's Daphne: a server of their
own that can be stopped and started again (same port, same database), and people logged
in to it in separate browser contexts.

The server runs on the pytest-django test database that conftest's ``live_url`` created
and seeded, so the demo school is there. Its heartbeat is two seconds, so a browser notices
a dead or silent connection quickly.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response

from tests.browser.support import log_in
from tests.support.processes import ROOT, database_url, free_port, wait_for_port

HEARTBEAT_SECONDS = 2
# The file's tests send more than the production limit (30 a minute per person) within a
# minute of each other; the limit itself is tested elsewhere.
SEND_LIMIT_PER_MINUTE = 1000
# While a server is down (or a context offline), Chromium logs each failed WebSocket
# handshake as a console error; those are expected then and only then.
_SOCKET_FAILURE = re.compile(r"WebSocket connection to 'ws://[^']+/ws/' failed")


class RestartableServer:
    """A Daphne subprocess on a fixed port that a test may stop and start again."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "ELEVDIALOG_ENV": "test",
            "DATABASE_URL": database_url(settings.DATABASES["default"]),
            "WEBSOCKET_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "DIALOGUE_SEND_LIMIT_PER_MINUTE": str(SEND_LIMIT_PER_MINUTE),
            # Notifications are delivered from a thread of the server, as with `make run`.
            "NOTIFICATIONS_IN_PROCESS_WORKER": "true",
        }
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[str] | None = None
        # Set when the test stops the server, until it says the pages are back: Chromium
        # reports failed handshakes as console errors, some only after the server is up.
        self.socket_failures_expected = False

    def start(self) -> None:
        assert self.process is None, "the server is already running"
        self._log = open(self.log_path, "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process)

    def stop(self, *, crash: bool = False) -> None:
        """Stop the process: SIGTERM as a deployment would, or SIGKILL for a crash."""
        if self.process is None:
            return
        self.socket_failures_expected = True
        self.process.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def recovered(self) -> None:
        """The pages have reconnected: failed handshakes are problems again."""
        self.socket_failures_expected = False

    @contextmanager
    def stopped(self, *, crash: bool = False) -> Iterator[None]:
        self.stop(crash=crash)
        try:
            yield
        finally:
            self.start()


@pytest.fixture(name="restartable_server", scope="module")
def restartable_server_fixture(live_url: str) -> Iterator[RestartableServer]:
    """Depends on ``live_url`` for the database and the demo school it seeds."""
    server = RestartableServer(free_port(), ROOT / "var" / "browser-daphne-restartable.log")
    server.log_path.write_text("")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Problems:
    """Like conftest's PageProblems (console errors, CSP violations, uncaught errors,
    failed assets), but failed WebSocket handshakes are allowed while the test says the
    connection is down, and a test can declare an asset response it expects to fail."""

    def __init__(self, server: RestartableServer) -> None:
        self.server = server
        self.messages: list[str] = []
        self.offline = False  # set by a test that takes its context offline
        self.expected_statuses: list[tuple[int, str]] = []  # (status, URL part)
        self.expected_console: list[str] = []  # parts of console errors the browser itself writes

    def watch(self, page: Page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        page.on("response", self.on_response)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        if (self.server.socket_failures_expected or self.offline) and _SOCKET_FAILURE.search(message.text):
            return
        if any(part in message.text for part in self.expected_console):
            return
        self.messages.append(f"console error: {message.text}")

    def on_response(self, response: Response) -> None:
        if response.status < 400 or response.request.resource_type == "document":
            return
        for status, part in self.expected_statuses:
            if response.status == status and part in response.url:
                return
        self.messages.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def on_page_error(self, error: Exception) -> None:
        self.messages.append(f"uncaught: {error}")


class Person:
    """One person in a browser context of their own, logged in to the restartable server."""

    def __init__(self, username: str, context: BrowserContext, page: Page, problems: Problems) -> None:
        self.username = username
        self.context = context
        self.page = page
        self.problems = problems

    def new_page(self) -> Page:
        page = self.context.new_page()
        self.problems.watch(page)
        return page


# Staff log in with a one-time code, and a code step may be used only once: everyone logs
# in once per module (through the login page) and later contexts reuse the session cookies.
_STAFF = {"ahmed.hassan", "lars.berglund", "eva.lindgren", "karin.nordin", "maria.holm"}


@pytest.fixture(name="sessions", scope="module")
def sessions_fixture() -> dict[str, Any]:
    return {}


@pytest.fixture(name="open_as")
def open_as_fixture(
    browser: Browser, restartable_server: RestartableServer, sessions: dict[str, Any]
) -> Iterator[Callable[..., Person]]:
    """``open_as("sofia.lindqvist")`` gives a logged-in person on the start page. Every page
    of every person is checked for problems at the end of the test."""
    people: list[Person] = []
    restartable_server.recovered()

    def open_as(
        username: str, *, width: int = 1280, height: int = 900, timezone_id: str | None = None
    ) -> Person:
        context = browser.new_context(
            base_url=restartable_server.url,
            locale="sv-SE",
            viewport={"width": width, "height": height},
            storage_state=sessions.get(username),
            timezone_id=timezone_id,  # the device's zone (None: the machine's)
        )
        problems = Problems(restartable_server)
        page = context.new_page()
        problems.watch(page)
        person = Person(username, context, page, problems)
        people.append(person)
        if username in sessions:
            page.goto("/")
        else:
            log_in(page, username, staff=username in _STAFF)
            sessions[username] = context.storage_state()
        return person

    yield open_as
    problems = {person.username: person.problems.messages for person in people}
    for person in people:
        person.context.close()
    assert all(not messages for messages in problems.values()), f"pages reported problems: {problems}"
