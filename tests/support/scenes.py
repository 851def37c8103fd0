"""A student's page with logged-in family members, for the tests that drive real server
processes over real sockets, and what those servers need to serve it.

Data made for such a test must be committed: the servers read it over their own database
connections (the tests use ``django_db(transaction=True, serialized_rollback=True)``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from dialogue.actions.pages import page_of
from dialogue.models import Message, Thread
from tests.support.cast import build_cast
from tests.support.processes import database_url
from tests.support.sockets import session_cookie

FAMILY = ("student", "guardian_1", "guardian_2")


@dataclass
class Scene:
    page: int
    thread: int
    cookies: dict[str, str]  # role -> session key
    users: dict[str, int] = field(default_factory=dict)  # role -> user id

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Scene:
        return cls(**json.loads(text))


def build_scene() -> Scene:
    """The cast's student's page, and logged-in sessions for the family (no code step)."""
    cast = build_cast()
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    cookies = {}
    for role in FAMILY:
        cookie = session_cookie(getattr(cast, role))
        assert cookie is not None
        cookies[role] = cookie
    return Scene(page.pk, thread.pk, cookies, {role: getattr(cast, role).pk for role in FAMILY})


def _stored_rows(page: int) -> list[dict[str, Any]]:
    rows = Message.objects.filter(page_id=page).order_by("seq")
    return [dict(row) for row in rows.values("id", "seq", "change_seq", "client_id", "author__username")]


stored_rows = database_sync_to_async(_stored_rows)
make_scene = database_sync_to_async(build_scene)


def server_env(redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a Daphne serving the test database (and the suite's Redis unless
    told), sending as fast as the tests ask."""
    redis = redis_url or settings.REDIS_URL
    assert redis is not None
    return {
        "ELEVDIALOG_ENV": "test",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "REDIS_URL": redis,
        "WEBSOCKET_HEARTBEAT_SECONDS": "1",
        # The streams below send faster than a person may; the limit is tested elsewhere.
        "DIALOGUE_SEND_LIMIT_PER_MINUTE": "100000",
        **extra,
    }
