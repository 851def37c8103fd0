from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
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
def cast(db: None) -> Cast:
    return build_cast()


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
