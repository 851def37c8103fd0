"""Storing announced events in the outbox, inside the announcing transaction.

Two ways in, one row: ``store_event`` hears ``accounts.events.announcing`` (one INSERT in the
announcer's transaction); ``event_insert`` is for a hot path that writes its change in one SQL
statement (a message: ``dialogue.actions.message_store``) and puts the outbox row in that same
statement, so the row exists exactly when the change commits, without a transaction of its own.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications import kinds
from notifications.models import Event
from notifications.worker import wake_in_process


def store_event(sender: object, kind: str, signal: object = None, **data: Any) -> None:
    """Only events someone may be told about are stored (one INSERT). (``signal`` is
    Django's own keyword, not part of the event.)"""
    if kinds.kind(kind) is None:
        return
    Event.objects.create(kind=kind, data=data)
    transaction.on_commit(wake_in_process)


def event_insert(
    kind: str, data: dict[str, Any], *, source: str, id_key: str
) -> tuple[str, list[Any]] | None:
    """A member of a ``WITH`` (PostgreSQL) that stores the event when the statement's ``source``
    member returns a row: ``data`` plus ``id_key`` set to that row's ``id``. None when the kind
    is told to nobody (nothing to store). The caller runs ``after_event_insert`` once the
    statement ran, so that the worker wakes at commit."""
    if kinds.kind(kind) is None:
        return None
    table = Event._meta.db_table
    sql = (
        f"{table}_row AS (INSERT INTO {table} (kind, data, created_at, attempts, last_error) "  # noqa: S608
        f"SELECT %s, %s::jsonb || jsonb_build_object(%s::text, {source}.id), %s, 0, '' FROM {source})"
    )
    return sql, [kind, json.dumps(data), id_key, timezone.now()]


def after_event_insert() -> None:
    transaction.on_commit(wake_in_process)
