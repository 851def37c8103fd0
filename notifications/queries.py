"""Reads of the notifications pages (each a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification, PushSubscription
from notifications.texts import title_and_body

PER_PAGE = 30


@dataclass(frozen=True)
class InboxEntry:
    notification: Notification
    title: str
    body: str


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, in_inbox=True).count()


def inbox(user: User, page_number: int | str | None = 1) -> tuple[Page[Notification], list[InboxEntry]]:
    """One page of the person's inbox, newest first, with the texts in the active
    language (two queries: the count and the page)."""
    mine: QuerySet[Notification] = Notification.objects.filter(recipient=user, in_inbox=True).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(mine, PER_PAGE).get_page(page_number)
    entries = []
    for notification in page.object_list:
        title, body = title_and_body(notification)
        entries.append(InboxEntry(notification, title, body))
    return page, entries


def devices_of(user: User) -> list[PushSubscription]:
    return list(PushSubscription.objects.filter(user=user).order_by("-created_at"))
