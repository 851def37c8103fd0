"""Reads of the dialogue's messages and threads: a thread's history, catching up, unread counts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.policy import readable_threads_q
from dialogue.models import (
    Attachment,
    Message,
    ReadState,
    StudentPage,
    Thread,
)

PAGE_SIZE = 50
# Unread messages are counted up to this many per thread: the page shows "99+" beyond, and
# a thread never read costs as little to count as one read yesterday.
UNREAD_CAP = 100


def _with_related(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )


def message_by_client_id(author: User, client_id: uuid.UUID) -> Message | None:
    return _with_related(Message.objects.filter(author=author, client_id=client_id)).first()


def message_for_change(message_id: int) -> Message | None:
    return Message.objects.select_related("page__student", "author", "thread").filter(pk=message_id).first()


def threads_of(page: StudentPage, viewer: User) -> list[Thread]:
    """The threads of the page the viewer reads (a private thread only to its audience):
    general first, then subjects in curriculum order, then the rest by age. One query."""
    threads = list(page.threads.filter(readable_threads_q(viewer)).select_related("subject"))
    order: dict[str, int] = {Thread.Kind.GENERAL: 0, Thread.Kind.SUBJECT: 1}
    return sorted(
        threads,
        key=lambda t: (order.get(t.kind, 2), t.subject.position if t.subject else 0, t.created_at),
    )


def thread_messages(
    thread: Thread, *, before_seq: int | None = None, limit: int = PAGE_SIZE
) -> list[Message]:
    """The latest ``limit`` messages of a thread (before ``before_seq``), oldest first."""
    messages = Message.objects.filter(thread=thread)
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    latest = list(_with_related(messages.order_by("-seq"))[:limit])
    latest.reverse()
    return latest


def changes_since(page: StudentPage, viewer: User, after_seq: int, limit: int = 500) -> list[Message]:
    """Messages created, edited or retracted after ``after_seq`` in the threads the viewer
    reads, in the order of the changes: what a reconnecting browser missed."""
    changed = Message.objects.filter(
        readable_threads_q(viewer, "thread__"), page=page, change_seq__gt=after_seq
    )
    return list(_with_related(changed.order_by("change_seq"))[:limit])


def _unread_messages(user: User, **where: Any) -> QuerySet[Message]:
    """Messages by others, not retracted, after the point the user has read their thread to,
    in the threads the user reads (every unread count and line is built on this)."""
    read_upto = ReadState.objects.filter(user=user, thread=OuterRef("thread")).values("last_read_seq")[:1]
    return (
        Message.objects.filter(
            readable_threads_q(user, "thread__"), ~Q(author=user), retracted_at__isnull=True, **where
        )
        .annotate(read_upto=Coalesce(Subquery(read_upto), 0))
        .filter(seq__gt=F("read_upto"))
    )


class _CountUpTo(Subquery):
    """How many rows a sliced queryset has: ``(SELECT COUNT(*) FROM (... LIMIT n))``, so the
    count reads at most ``n`` rows (PostgreSQL and SQLite alike)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def unread_counts(user: User, page: StudentPage) -> dict[int, int]:
    """Unread messages per thread of the page for the user (threads with none omitted),
    counted up to ``UNREAD_CAP`` (a count of ``UNREAD_CAP`` means that many or more). One
    query whose cost follows the threads and what is unread, never the page's history: per
    readable thread, from the user's read position onwards along the (thread, seq) index."""
    read_upto = ReadState.objects.filter(user=user, thread=OuterRef(OuterRef("pk"))).values("last_read_seq")[
        :1
    ]
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), retracted_at__isnull=True)
        .exclude(author=user)
        .filter(seq__gt=Coalesce(Subquery(read_upto), 0))
        # In the order of the (thread, seq) index, so the count walks it from the read
        # position on (unordered, the planner may filter the whole thread instead).
        .order_by("seq")
        .values("pk")[:UNREAD_CAP]
    )
    rows = page.threads.filter(readable_threads_q(user)).annotate(n=_CountUpTo(unread)).values_list("pk", "n")
    return {pk: n for pk, n in rows if n}


def first_unread_seq(user: User, thread: Thread) -> int | None:
    """The event number of the first message in the thread the user has not read. One query
    along the (thread, seq) index from the user's read position (looked up once, not per
    message)."""
    read_upto = ReadState.objects.filter(user=user, thread=thread).values("last_read_seq")[:1]
    unread = Message.objects.filter(
        readable_threads_q(user, "thread__"),
        ~Q(author=user),
        thread=thread,
        retracted_at__isnull=True,
        seq__gt=Coalesce(Subquery(read_upto), 0),
    )
    return unread.order_by("seq").values_list("seq", flat=True).first()


def unread_by_student(user: User, student_ids: Iterable[int]) -> dict[int, int]:
    """Unread messages per student page (for start pages and class lists), in one query;
    students without messages (or without a page yet) are omitted."""
    student_ids = list(student_ids)
    if not student_ids:
        return {}
    rows = (
        _unread_messages(user, page__student_id__in=student_ids)
        .values("page__student")
        .annotate(n=Count("pk"))
    )
    return {row["page__student"]: row["n"] for row in rows}


def page_heads(page_ids: Iterable[int]) -> dict[int, int]:
    """The latest event number of each page."""
    return dict(StudentPage.objects.filter(pk__in=list(page_ids)).values_list("pk", "last_seq"))
