"""The statements run on every send and opening are prepared once per connection
(``accounts.statements``); where Django logs queries they run through its own cursor."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import policy
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] or "" for row in cursor.fetchall()]


def _relations(cast: Cast) -> None:
    first = policy.relation_to_student(cast.teacher, cast.student)
    second = policy.relation_to_student(cast.teacher, cast.student)
    guardian = policy.relation_to_student(cast.guardian_1, cast.student)
    assert first == second
    assert first.may_write
    assert guardian.is_guardian
    assert not guardian.is_teacher


def test_the_relation_query_is_prepared_once_per_connection(cast: Cast) -> None:
    before = [s for s in _prepared() if "relation_to_student" in s]
    _relations(cast)
    prepared = [s for s in _prepared() if "relation_to_student" in s]
    # One statement for the three (psycopg names it once per connection and parameter types).
    assert len(prepared) == 1
    assert len(before) <= 1
    assert "$1" in prepared[0]  # bound on the server, not written in as literals


def test_where_queries_are_logged_they_are_logged_whole(cast: Cast) -> None:
    with CaptureQueriesContext(connection) as captured:
        _relations(cast)
    assert len(captured) == 3
    assert all("relation_to_student" in q["sql"] and str(cast.student.pk) in q["sql"] for q in captured)


def test_with_preparing_off_the_same_statements_run_unprepared(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection.ensure_connection()
    raw: Any = connection.connection
    monkeypatch.setattr(raw, "prepare_threshold", None)  # what DB_PREPARED_STATEMENTS=false sets
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    raw._prepared.clear()  # psycopg's record of the names, forgotten with them
    relation = policy.relation_to_student(cast.teacher, cast.student)
    assert relation.may_write
    assert _prepared() == []
