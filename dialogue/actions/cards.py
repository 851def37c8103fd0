"""Cards: documents (goals, assessments, self-assessments, talks, action programmes) shown
in the page's timeline as messages that carry the document's current state.

A card is a ``Message`` with ``card`` set, so it takes the page's next event number like any
message: it reaches open sockets live, a reconnecting client catches up on it, it counts as
unread, and people reply to it in its thread. When the document changes, the same message is
rewritten with a new ``change_seq`` and published again, so the card updates in place.

Every kind of document uses the same three steps, here and only here: ``document_thread``
makes and titles a thread of its own (talks, action programmes), ``show_card`` posts the
card when the document is made, and ``refresh_card`` rewrites it after each change. A
``CardKind`` says how one kind of document draws its card and which thread it goes in.

Callers are the document actions; they check the policy and run these inside their own
transaction (the event is published after commit).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

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


def thread_title(
    kind: str, *, moment: datetime.datetime | datetime.date, subject: Subject | None = None
) -> str:
    """The title of a document's own thread: a talk's time (language-neutral; the thread's kind
    says what it is), or the action programme's subject and day."""
    if kind == Thread.Kind.DEVELOPMENT_TALK:
        assert isinstance(moment, datetime.datetime)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    day = (
        moment.isoformat()
        if not isinstance(moment, datetime.datetime)
        else timezone.localdate(moment).isoformat()
    )
    if subject is not None:
        return _("Action programme in %(subject)s, %(date)s") % {"subject": subject.name, "date": day}
    return _("Action programme %(date)s") % {"date": day}


def document_thread(
    page: StudentPage,
    kind: str,
    *,
    moment: datetime.datetime | datetime.date,
    subject: Subject | None = None,
) -> Thread:
    """A thread of its own for one document (one per development talk, one per action
    programme), titled by ``thread_title``."""
    return Thread.objects.create(
        page=page, kind=kind, title=thread_title(kind, moment=moment, subject=subject)
    )


# A document shown as a card: a model with a ``message`` (its card) field.
D = TypeVar("D", bound=models.Model)


@dataclass(frozen=True)
class CardKind(Generic[D]):
    """How one kind of document appears in the timeline: ``draw`` gives its card (the
    document's current state, as the browser draws it), ``thread`` the thread it is in."""

    draw: Callable[[D], dict[str, Any]]
    thread: Callable[[StudentPage, D], Thread]


def in_subject_thread(page: StudentPage, document: Any) -> Thread:
    """For documents about a subject (or none): the subject's thread or the general one."""
    return subject_thread(page, document.subject)


def in_own_thread(page: StudentPage, document: Any) -> Thread:
    """For documents made with a thread of their own (``document_thread``)."""
    thread: Thread = document.thread
    return thread


def show_card(
    actor: User, page: StudentPage, document: D, kind: CardKind[D], *, summary: str, save: bool = True
) -> Message:
    """Post the card of a document just made, and keep it on the document (saved at once
    unless the caller saves ``message`` with its own changes). Precondition: inside the
    transaction that made the document."""
    message = post_card(actor, page, kind.thread(page, document), card=kind.draw(document), summary=summary)
    document.message = message  # type: ignore[attr-defined]
    if save:
        document.save(update_fields=["message"])
    return message


def refresh_card(document: D, kind: CardKind[D], *, summary: str | None = None) -> None:
    """Rewrite the card after the document changed; every open page shows the new state.
    Precondition: inside the change's transaction."""
    message: Message | None = document.message  # type: ignore[attr-defined]
    if message is not None:
        update_card(message, card=kind.draw(document), summary=summary)


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
