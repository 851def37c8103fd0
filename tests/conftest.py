from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from accounts.models import User
from tests.support.cast import Cast, build_cast
from tests.support.clients import verified_client


def pytest_configure(config: pytest.Config) -> None:
    if settings.MODE != "test":
        raise pytest.UsageError(
            "Run the suite with `make test` (or set ELEVDIALOG_ENV=test, DATABASE_URL and "
            "REDIS_URL): it runs against real PostgreSQL and Redis."
        )


@pytest.fixture
def cast(request: pytest.FixtureRequest, db: None) -> Cast:
    """The shared cast: built for the test, or in a module that uses ``module_cast`` a copy
    of the module's (as ``setUpTestData`` hands its objects out), so that what a test
    changes on the objects in memory does not reach the next test."""
    if "module_cast" in request.fixturenames:
        return copy.deepcopy(request.getfixturevalue("module_cast"))
    return build_cast()


@pytest.fixture(scope="module")
def module_cast(django_db_setup: None, django_db_blocker: Any) -> Iterator[Cast]:
    """The cast built once for a module, in an outer transaction that each test's own
    transaction nests in as a savepoint (as Django's ``setUpTestData`` and the access matrix's
    ``world``): whatever a test changes in the database is rolled back before the next test,
    and the whole after the module. Building the cast costs ~400 queries; a module whose
    tests need it only as built opts in with ``pytest.mark.usefixtures("module_cast")`` in
    its ``pytestmark``. Every test of such a module sees the cast in the database (also one
    that does not ask for it), and none may use ``transaction=True``."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            cast = build_cast()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield cast
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    return verified_client


@pytest.fixture(scope="session", autouse=True)
def _end_stray_test_database_sessions(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Socket tests run the ASGI app in this process, and its database work runs on pool
    threads that each hold a connection of their own; those threads outlive the tests, so
    their connections would keep the test database open when pytest-django drops it. End
    them first (this runs just before the database is dropped)."""
    yield
    if not str(connection.settings_dict["NAME"]).startswith("test_"):
        return  # no test in this run used the database, so none was created
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
