"""Cards: documents (goals, assessments, self-assessments, talks, action programmes) shown
in the page's timeline as messages that carry the document's current state.

A card is a ``Message`` with ``card`` set, so it takes the page's next event number like any
message: it reaches open sockets live, a reconnecting client catches up on it, it counts as
unread, and people reply to it in its thread. When the document changes, the same message is
rewritten with a new ``change_seq`` and published again, so the card updates in place.

Callers are the document actions; they check the policy and run these inside their own
transaction (the event is published after commit).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from django.utils.html import escape

from accounts.models import Subject, User
from dialogue.actions.messages import publish_message
from dialogue.models import Message, StudentPage, Thread
from writing.counters import next_seq


def subject_thread(page: StudentPage, subject: Subject | None) -> Thread:
    """The thread a document about ``subject`` belongs in: the subject's thread (made if the
    subject is no longer or not yet taught), or the general thread when there is none."""
    if subject is None:
        return page.threads.get(kind=Thread.Kind.GENERAL)
    thread, _created = Thread.objects.get_or_create(page=page, kind=Thread.Kind.SUBJECT, subject=subject)
    return thread


def new_thread(page: StudentPage, kind: str, title: str) -> Thread:
    """A thread of its own (one per development talk, one per action programme)."""
    return Thread.objects.create(page=page, kind=kind, title=title)


def post_card(
    actor: User, page: StudentPage, thread: Thread, *, card: dict[str, Any], summary: str
) -> Message:
    """Add a card to the thread's timeline. Precondition: inside a transaction; the actor
    may write on the page (the document's own rule was checked)."""
    seq = next_seq(page)
    message = Message.objects.create(
        page=page,
        thread=thread,
        author=actor,
        client_id=uuid.uuid4(),
        body=summary,
        body_html=f"<p>{escape(summary)}</p>",
        seq=seq,
        change_seq=seq,
        card=card,
    )
    publish_message(message, [])
    return message


def update_card(message: Message, *, card: dict[str, Any], summary: str | None = None) -> Message:
    """Rewrite a card after its document changed; every open page shows the new state.
    Precondition: inside a transaction; ``message.author`` and ``message.page`` loaded."""
    message.change_seq = next_seq(message.page)
    message.card = card
    fields = ["card", "change_seq", "edited_at"]
    if summary is not None:
        message.body = summary
        message.body_html = f"<p>{escape(summary)}</p>"
        fields += ["body", "body_html"]
    message.edited_at = timezone.now()
    message.save(update_fields=fields)
    publish_message(message, [])
    return message
