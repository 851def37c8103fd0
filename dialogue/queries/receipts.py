"""Read receipts: who in a thread's audience has read a message, and when.

A person read a message at the first ``ReadProgress`` row of theirs in its thread at or past
its number (rows are appended each time their reading moves forward, never changed, so a
later read never moves the time). Reads from before the rows were kept show as read without
a time: ``ReadState`` says read, no row says when.

Receipts are for the writer alone (of a card: its author, the publisher): they are built for
one viewer's own messages, never put in what the whole page receives.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery

from accounts import policy
from accounts.models import Guardianship, SecurityMarking, User
from dialogue.models import Assessment, Message, ReadProgress, ReadState, Thread

# The order readers are listed in: the family first, then the school.
ROLE_ORDER = {
    policy.STUDENT: 0,
    policy.GUARDIAN: 1,
    policy.TEACHER: 2,
    policy.PRINCIPAL: 3,
    policy.REGISTRAR: 4,
}


@dataclass(frozen=True)
class Reader:
    """One person in a thread's audience, with how far ``ReadState`` says they have read."""

    id: int
    name: str  # the first name; the full name where two readers share a first name
    role: str
    read_upto: int
    # Protected personal data: the name is for those the policy lets see it (``named_for``).
    protected: bool = False


def thread_readers(student: User, thread: Thread) -> list[Reader]:
    """Everyone who reads the thread (the policy's ``thread_audience``), family first, by
    name. Two queries: the page's readers with their parts, and their names with how far
    each has read the thread."""
    audience = policy.thread_audience(policy.roles_on_student_page(student), thread)
    if not audience:
        return []
    read_upto = ReadState.objects.filter(user=OuterRef("pk"), thread=thread).values("last_read_seq")[:1]
    people = list(
        User.objects.filter(pk__in=audience)
        .annotate(read_upto=Subquery(read_upto))
        .values_list("pk", "first_name", "last_name", "username", "read_upto", "security_marking")
    )
    firsts = [first for _pk, first, _last, _username, _upto, _marking in people]
    readers = []
    for pk, first, last, username, upto, marking in people:
        full = f"{first} {last}".strip() or username
        name = first if first and firsts.count(first) == 1 else full
        readers.append(Reader(pk, name, audience[pk], upto or 0, marking != SecurityMarking.NONE))
    readers.sort(key=lambda reader: (ROLE_ORDER.get(reader.role, 9), reader.name, reader.id))
    return readers


def named_for(viewer: User | int, readers: list[Reader]) -> list[Reader]:
    """``readers`` as ``viewer`` may see them: a protected guardian is "A guardian" to the
    child's other guardian (``policy.names_hidden_from``). No query unless a reader is
    protected."""
    protected = [reader.id for reader in readers if reader.protected]
    if not protected:
        return readers
    if isinstance(viewer, int):
        viewer = User.objects.get(pk=viewer)
    hidden = policy.names_hidden_from(viewer, protected)
    return [replace(r, name=str(hidden[r.id])) if r.id in hidden else r for r in readers]


def _read_times(
    thread: Thread, readers: list[Reader], from_seq: int
) -> dict[int, tuple[list[int], list[Any]]]:
    """Per reader: their progress numbers from ``from_seq`` on, ascending, and for each the
    earliest time any row at or past it was written (so a lookup is one bisection)."""
    rows = (
        ReadProgress.objects.filter(thread=thread, user__in=[r.id for r in readers], seq__gte=from_seq)
        .order_by("user_id", "seq", "read_at")
        .values_list("user_id", "seq", "read_at")
    )
    by_user: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for user_id, seq, read_at in rows:
        by_user[user_id].append((seq, read_at))
    times: dict[int, tuple[list[int], list[Any]]] = {}
    for user_id, entries in by_user.items():
        earliest: list[Any] = [None] * len(entries)
        best = None
        for index in range(len(entries) - 1, -1, -1):
            at = entries[index][1]
            best = at if best is None or at < best else best
            earliest[index] = best
        times[user_id] = ([seq for seq, _at in entries], earliest)
    return times


def receipts_for(
    thread: Thread, messages: Iterable[Message], readers: list[Reader]
) -> dict[int, list[dict[str, Any]]]:
    """Per message (not retracted): every reader but its author, with whether and when they
    read it: ``{"id", "name", "read", "at"}`` (``at`` ISO 8601, or None for a read from before
    receipts were kept). One query (the progress rows), none when there is nothing to show."""
    shown = [m for m in messages if m.retracted_at is None]
    if not shown or not readers:
        return {}
    times = _read_times(thread, readers, min(m.seq for m in shown))
    receipts: dict[int, list[dict[str, Any]]] = {}
    for message in shown:
        entries = []
        for reader in readers:
            if reader.id == message.author_id:
                continue
            at = None
            if reader.id in times:
                seqs, earliest = times[reader.id]
                index = bisect_left(seqs, message.seq)
                if index < len(seqs):
                    at = earliest[index]
            read = at is not None or reader.read_upto >= message.seq
            entries.append(
                {"id": reader.id, "name": reader.name, "read": read, "at": at.isoformat() if at else None}
            )
        receipts[message.pk] = entries
    return receipts


def own_receipts(viewer: User, student: User, thread: Thread, messages: Iterable[Message]) -> dict[str, Any]:
    """Receipts of the viewer's own messages among ``messages`` (all of one thread), keyed by
    the message id as a string (JSON). Three queries when the viewer wrote any of them, none
    otherwise (so reading the page costs those who only read nothing)."""
    own = [m for m in messages if m.author_id == viewer.pk and m.retracted_at is None]
    if not own:
        return {}
    readers = named_for(viewer, thread_readers(student, thread))
    return {str(pk): entries for pk, entries in receipts_for(thread, own, readers).items()}


# --- the assessment flow -------------------------------------------------------------------


def guardians_not_seen(published: Mapping[int, Assessment]) -> dict[int, list[User]]:
    """Per student (``published``: student id -> the published assessment shown, with its
    card ``message`` loaded): the guardians, by name, who have not read its card yet (their
    reading of its thread has not reached it). One query, whatever the number of students."""
    cards = {student_id: a.message for student_id, a in published.items() if a.message is not None}
    if not cards:
        return {}
    reached = Q()
    for message in cards.values():
        reached |= Q(thread_id=message.thread_id, last_read_seq__gte=message.seq)
    seen = ReadState.objects.filter(
        reached, user=OuterRef("guardian"), thread__page__student=OuterRef("student")
    )
    rows = (
        Guardianship.objects.active(policy.today())
        .filter(student__in=list(cards))
        .annotate(seen=Exists(seen))
        .filter(seen=False)
        .select_related("guardian")
        .order_by("guardian__first_name", "guardian__last_name", "guardian_id")
    )
    unseen: dict[int, list[User]] = defaultdict(list)
    for guardianship in rows:
        if guardianship.guardian not in unseen[guardianship.student_id]:
            unseen[guardianship.student_id].append(guardianship.guardian)
    return dict(unseen)
