"""The per-stream event counter: every change to a stream (a student's page, a class blog)
takes the stream's next number, so that clients resume from the last number they saw."""

from __future__ import annotations

from django.db import connection, models


def next_seq(counter: models.Model) -> int:
    """Take the next event number of a row that counts its events in ``last_seq``. The UPDATE
    locks the row until the transaction ends, so numbers commit in order and without gaps (one
    statement: every send pays for it). Precondition: inside a transaction."""
    with connection.cursor() as cursor:
        table = type(counter)._meta.db_table  # a model's table name; the id is a parameter
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",  # noqa: S608
            [counter.pk],
        )
        (seq,) = cursor.fetchone()
    counter.last_seq = int(seq)  # type: ignore[attr-defined]
    return int(seq)
