"""Keeping read receipts: when a reader's position in a thread moves forward (``mark_read``),
the time is kept, and the writers of the messages newly read hear of it live.

Only the writers are told, each about their own messages, on their own sockets (the user
group): receipts are never part of what the whole page receives.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from accounts import events
from accounts.models import User
from dialogue.models import Message, ReadProgress, StudentPage, Thread
from dialogue.queries.receipts import named_for, receipts_for, thread_readers


def reading_advanced(reader: User, page: StudentPage, thread: Thread, *, before: int, upto: int) -> None:
    """Precondition: inside the transaction that moved ``reader``'s ``ReadState`` of ``thread``
    from ``before`` to ``upto`` (``before < upto``), with ``page.student`` loaded. Keeps the
    step, and after commit sends each writer (still in the thread's audience) the receipts of
    their messages now read: ``{"type": "dialogue.receipts", "page", "thread", "receipts":
    {message id: [...]}}``. One query when the step read no one else's message, four when it
    did."""
    ReadProgress.objects.create(user=reader, thread=thread, seq=upto)
    newly_read = list(
        Message.objects.filter(thread=thread, seq__gt=before, seq__lte=upto, retracted_at__isnull=True)
        .exclude(author=reader)
        .only("pk", "seq", "author_id", "retracted_at")
    )
    if not newly_read:
        return
    readers = thread_readers(page.student, thread)
    audience = {r.id for r in readers}
    told = [m for m in newly_read if m.author_id in audience]
    receipts = receipts_for(thread, told, readers)
    by_writer: dict[int, dict[str, Any]] = defaultdict(dict)
    for writer in {m.author_id for m in told}:
        # Each writer sees the readers' names as the policy lets them (a protected guardian
        # is "A guardian" to the other one); no query unless a reader is protected.
        names = {r.id: r.name for r in named_for(writer, readers)}
        for message in told:
            if message.author_id == writer:
                by_writer[writer][str(message.pk)] = [
                    {**entry, "name": names.get(entry["id"], entry["name"])} for entry in receipts[message.pk]
                ]
    events.publish_many(
        (
            events.user_group(writer),
            {"type": "dialogue.receipts", "page": page.pk, "thread": thread.pk, "receipts": own},
        )
        for writer, own in by_writer.items()
    )
