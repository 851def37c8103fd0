"""Storing announced events in the outbox, inside the announcing transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

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
