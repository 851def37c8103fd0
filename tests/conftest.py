from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
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
