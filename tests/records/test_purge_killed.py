"""A purge killed halfway leaves every student whole or gone, never half: the real
``manage.py purge_records`` in a subprocess against the test database, blocked in the middle
of its second student by a row lock this test holds, then killed with SIGKILL."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from dialogue.models import Message
from records.models import PendingFileRemoval
from records.retention.rules import add_years
from tests.support.cast import Cast
from tests.support.processes import ROOT, database_url
from tests.support.purge import counts_about, message_with_file, on_disk, record_leaving

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APPLICATION = "elevdialog-purge-under-test"
TIMEOUT = 60.0


def purge_process() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "PGAPPNAME": APPLICATION,  # libpq names the connection: pg_stat_activity finds it
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "purge_records"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {TIMEOUT} s: {what}")
        time.sleep(0.05)


def purge_waits_on_a_lock(observer: psycopg.Connection) -> bool:
    row = observer.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
        [APPLICATION],
    ).fetchone()
    return bool(row and row[0])


def sessions_of_the_purge(observer: psycopg.Connection) -> int:
    row = observer.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION]
    ).fetchone()
    return int(row[0]) if row else 0


def whole_or_gone(before: dict[str, int], now: dict[str, int]) -> str:
    if now == before:
        return "whole"
    if not any(now.values()):
        return "gone"
    return f"half: {now} (before: {before})"


def test_a_purge_killed_halfway_leaves_each_student_whole_or_gone_and_the_next_run_finishes(
    cast: Cast,
) -> None:
    today = datetime.date.today()
    first, second = cast.student, cast.other_student
    files = [
        message_with_file(cast.guardian_1, first, "Första eleven."),
        message_with_file(cast.other_guardian, second, "Andra eleven."),
        message_with_file(second, second, "Min bild."),
    ]
    record_leaving(first, add_years(today, -7))  # purged first (older leaving)
    record_leaving(second, add_years(today, -6))
    before = {student.pk: counts_about(student.pk) for student in (first, second)}
    locked_message = Message.objects.filter(thread__page__student=second).order_by("pk").first()
    assert locked_message is not None

    url = database_url(connection.settings_dict)
    with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as observer:
        table = sql.Identifier(Message._meta.db_table)
        holder.execute(
            sql.SQL("SELECT id FROM {} WHERE id = %s FOR UPDATE").format(table), [locked_message.pk]
        )
        process = purge_process()
        try:
            poll(lambda: purge_waits_on_a_lock(observer), "the purge waits on the second student's message")
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
        holder.rollback()  # the lock goes

    # PostgreSQL ends the killed process's session and rolls its transaction back.
    with psycopg.connect(url, autocommit=True) as observer:
        poll(lambda: not sessions_of_the_purge(observer), "the killed purge's session ends")
    states = {
        student.pk: whole_or_gone(before[student.pk], counts_about(student.pk)) for student in (first, second)
    }
    assert states == {first.pk: "gone", second.pk: "whole"}
    assert not on_disk(files[0])
    assert on_disk(files[1])
    assert on_disk(files[2])

    again = purge_process()
    output, _ = again.communicate(timeout=TIMEOUT)
    assert again.returncode == 0, output.decode()
    assert not any(counts_about(first.pk).values())
    assert not any(counts_about(second.pk).values())
    assert not any(on_disk(name) for name in files)
    assert not PendingFileRemoval.objects.exists()
    assert cast.other_student.first_name.encode() not in output
    assert cast.student.username.encode() not in output
