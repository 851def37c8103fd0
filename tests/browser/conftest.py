"""Browser tests: Playwright drives Debian's Chromium against a real Daphne process.

The server runs as a subprocess on the pytest-django test database, loaded with the demo
school (``seed_demo``), so the tests use the site exactly as a person would after
``make run``. Every page is watched for console errors and Content-Security-Policy
violations; any of them fails the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import setup_databases, teardown_databases
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, sync_playwright

from tests.browser.servers import RestartableServer, start_restartable_server
from tests.support.processes import database_url, free_port, wait_for_port
from tests.support.saml_idp import BROWSER_IDENTITIES, SamlIdentityProvider

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Chromium's background services try to reach Google; this machine's network refuses them.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database for the server process. pytest-django would create it only for
    tests marked django_db, whose per-test transactions would run inside Playwright's
    event loop; these tests never touch the ORM themselves, so the session owns it."""
    with django_db_blocker.unblock():
        # (django-stubs types `aliases` as a mapping; Django takes any collection of names.)
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="session")
def live_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def saml_idp(live_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdentityProvider]:
    """The e-ID and school-account identity providers (``devidp``, broken answers offered)
    with keys made for this run; they read the server's metadata at the first login. The
    identities are the demo school's people (``tests.support.saml_idp.BROWSER_IDENTITIES``)."""
    idp = SamlIdentityProvider(
        tmp_path_factory.mktemp("saml"), f"http://127.0.0.1:{live_port}/saml2/metadata/", BROWSER_IDENTITIES
    )
    idp.start()
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture(scope="session")
def live_url(
    django_db_setup: None, django_db_blocker: Any, live_port: int, saml_idp: SamlIdentityProvider
) -> Iterator[str]:
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    port = live_port
    env = {
        **os.environ,
        "ELEVDIALOG_ENV": "test",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        # Notifications are delivered from a thread of the server, as with `make run`.
        "NOTIFICATIONS_IN_PROCESS_WORKER": "true",
        # The server's own address: its SAML metadata and endpoints are announced under it.
        "SITE_URL": f"http://127.0.0.1:{port}",
        **saml_idp.sp_env(),
    }
    log = open(ROOT / "var" / "browser-daphne.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def restartable_server_process(live_url: str) -> Iterator[RestartableServer]:
    """The restartable Daphne of tests/browser/servers.py, shared by the modules whose
    ``restartable_server`` fixture asks for it. Depends on ``live_url`` for the database and
    the demo school it seeds."""
    server = start_restartable_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(live_url: str) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """Console errors (including CSP violations) and failed assets seen on a page. A page
    itself may answer 4xx on purpose (a 404 test, a form with errors); its assets may not."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def on_console(self, message: ConsoleMessage) -> None:
        # Chromium also logs every 4xx response as "Failed to load resource"; those are
        # judged in on_response, where the kind of request is known.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(f"console error: {message.text}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def on_page_error(self, error: Exception) -> None:
        self.messages.append(f"uncaught: {error}")


@pytest.fixture
def context(browser: Browser, live_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    problems = PageProblems()
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    page.on("response", problems.on_response)
    yield page
    assert problems.messages == [], "the page reported problems"
