"""Reads of the notifications pages (each a fixed number of queries)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, QuerySet

from accounts.models import User
from notifications.models import Notification, PushSubscription
from notifications.texts import title_and_body

PER_PAGE = 30


@dataclass(frozen=True)
class InboxEntry:
    """One line of the inbox: the newest of ``count`` notifications of one kind, from one
    actor, about one source, all read or all unread. Its link and its buttons act on all."""

    notification: Notification  # the newest of the group
    title: str
    body: str
    count: int = 1

    @property
    def latest(self) -> datetime.datetime:
        return self.notification.created_at


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, in_inbox=True).count()


def _groups(notifications: QuerySet[Notification]) -> QuerySet[Any]:
    """The notifications as the inbox's lines, newest line first: one row per kind, actor,
    source and read state, with ``n`` (how many) and ``newest`` (the latest one's id)."""
    return (
        notifications.annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .values("kind", "actor", "source", "unread")
        .annotate(n=Count("pk"), newest=Max("pk"), latest=Max("created_at"))
        .order_by("-latest", "-newest")
    )


def _entries(rows: Iterable[dict[str, Any]]) -> list[InboxEntry]:
    """The lines for the grouped rows, with the texts in the active language (one query)."""
    rows = list(rows)
    newest = Notification.objects.in_bulk([row["newest"] for row in rows])
    entries = []
    for row in rows:
        notification = newest[row["newest"]]
        title, body = title_and_body(notification, count=row["n"])
        entries.append(InboxEntry(notification, title, body, row["n"]))
    return entries


def inbox(user: User, page_number: int | str | None = 1) -> tuple[Page[Any], list[InboxEntry]]:
    """One page of the person's inbox, newest first, several notifications of one kind from
    one actor about one source as one line (three queries: the count of lines, the page of
    lines and their newest notifications)."""
    mine = Notification.objects.filter(recipient=user, in_inbox=True)
    page = Paginator(_groups(mine), PER_PAGE).get_page(page_number)
    return page, _entries(page.object_list)


def unread_news(user: User, *, leave_out: Iterable[str] = ()) -> list[InboxEntry]:
    """The person's unread inbox lines (but of the kinds left out), newest first: what is new
    since they last looked, for the start page. Two queries."""
    unread = Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True)
    return _entries(_groups(unread.exclude(kind__in=list(leave_out))))


def devices_of(user: User) -> list[PushSubscription]:
    return list(PushSubscription.objects.filter(user=user).order_by("-created_at"))


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    """Unread notifications per person (people with none omitted), in one query: the bell's
    count for every socket of a server process at once (``frontend.process_relay``)."""
    if not user_ids:
        return {}
    rows = (
        Notification.objects.filter(recipient__in=user_ids, read_at__isnull=True, in_inbox=True)
        .values("recipient")
        .annotate(n=Count("pk"))
    )
    return {row["recipient"]: row["n"] for row in rows}
