"""Fixtures for browser tests that need more than the session's Daphne: a second server
that can be stopped and started again (same port, same database), one process for all the
modules that use it, and people logged in to it in separate browser contexts.

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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response

from accounts.models import User
from tests.support.clients import verified_client
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


def start_restartable_server() -> RestartableServer:
    """The session's restartable server (conftest's ``restartable_server_process``), started.
    Its database and demo school are ``live_url``'s."""
    server = RestartableServer(free_port(), ROOT / "var" / "browser-daphne-restartable.log")
    server.log_path.write_text("")
    server.start()
    return server


@pytest.fixture(name="restartable_server", scope="module")
def restartable_server_fixture(restartable_server_process: RestartableServer) -> RestartableServer:
    """One process serves every module that uses it (starting Daphne takes seconds); a test
    that stops it starts it again (``stopped``), and a module finds it running here."""
    server = restartable_server_process
    if server.process is not None and server.process.poll() is not None:
        server.stop()  # it died: start a fresh one on the same port
    if server.process is None:
        server.start()
    server.recovered()
    return server


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


def _logged_in_cookies(username: str, url: str) -> list[dict[str, Any]]:
    """The cookies a login through the login page leaves (the session, past the code step
    for staff, and the person's language), made the way tests/support/clients.py makes
    sessions. The login pages themselves are tested in test_login_and_start_pages.py,
    test_accessibility.py, test_step_up.py and test_saml_login.py."""
    try:
        user = User.objects.get(username=username)
        session = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        return [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": user.language, "url": url},
        ]
    finally:
        connection.close()


@pytest.fixture(name="sessions", scope="module")
def sessions_fixture() -> dict[str, list[dict[str, Any]]]:
    """Each person's login cookies, made once per module and shared by their contexts."""
    return {}


@pytest.fixture(name="open_as")
def open_as_fixture(
    browser: Browser,
    restartable_server: RestartableServer,
    sessions: dict[str, list[dict[str, Any]]],
    django_db_blocker: Any,
) -> Iterator[Callable[..., Person]]:
    """``open_as("sofia.lindqvist")`` gives a logged-in person on the start page. Every page
    of every person is checked for problems at the end of the test."""
    people: list[Person] = []
    restartable_server.recovered()

    def open_as(
        username: str, *, width: int = 1280, height: int = 900, timezone_id: str | None = None
    ) -> Person:
        if username not in sessions:
            # On a thread of its own: Playwright's sync API runs an event loop on this
            # thread, where Django refuses database work.
            with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
                sessions[username] = pool.submit(
                    _logged_in_cookies, username, restartable_server.url
                ).result()
        context = browser.new_context(
            base_url=restartable_server.url,
            locale="sv-SE",
            viewport={"width": width, "height": height},
            timezone_id=timezone_id,  # the device's zone (None: the machine's)
        )
        context.add_cookies(sessions[username])  # type: ignore[arg-type]
        problems = Problems(restartable_server)
        page = context.new_page()
        problems.watch(page)
        person = Person(username, context, page, problems)
        people.append(person)
        page.goto("/")
        return person

    yield open_as
    problems = {person.username: person.problems.messages for person in people}
    for person in people:
        person.context.close()
    assert all(not messages for messages in problems.values()), f"pages reported problems: {problems}"
