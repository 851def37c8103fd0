"""The documents a request for public records covers, each as it stood when the request
arrived.

Only public records appear: published assessments (every published version), goals (the text
in force then, and each earlier version), reflections and self-assessments, development talks
with their IUP records (and earlier records), action programmes' decided versions with the
views given, the decisions and the follow-ups, special support (extra adaptations and their
follow-ups, reports to the principal, the principal's decisions and the family's views), and
the dialogue's messages with their attachments (each as it read then: a later edit keeps the
earlier text as a revision). Drafts (an assessment or a programme version never published or
decided, a saved draft of a programme) are not public records and never appear.

A ``Document`` is plain data: the review page shows its texts for selection, and the copy
renders them with the masked ranges replaced. Its ``key`` ("message", 42) is what a masking
names; its texts are the exact stored texts, so a masked range is a range of stored text.

A document's key names the document, not the row its text happens to be stored in: a goal
or a message edited after the request arrived keeps the text of that moment in a revision
row, and the document ("goal", 7) then reads it from there. A masking made before that edit
therefore still names the same document and the same text (its ``text_sha256`` still
matches). Versions that were already replaced when the request arrived are documents of
their own ("goal_revision", 3), whose text never changes.

How each kind is gathered is in ``records.release.history`` (assessments, goals),
``talks``, ``programmes``, ``support`` and ``messages`` (the dialogue); each reads its kind with a bounded
number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from records.models import ReleaseRequest

# What a request can ask for, in the order the copy shows them.
KINDS: dict[str, str | Promise] = {
    "assessments": _("Written assessments"),
    "talks": _("Development talks and IUPs"),
    "goals": _("Goals and self-assessments"),
    "programmes": _("Action programmes"),
    "support": _("Extra adaptations and special support"),
    "messages": _("Messages in the dialogue"),
}

# What a masking's ``document`` may name (the first part of a ``Document.key`` or a
# ``File.key``), and the kind of request it belongs to.
DOCUMENT_KINDS: dict[str, str] = {
    "assessment": "assessments",
    "talk": "talks",
    "talk_record": "talks",
    "talk_preparation": "talks",
    "goal": "goals",
    "goal_revision": "goals",
    "goal_reflection": "goals",
    "self_assessment": "goals",
    "programme_version": "programmes",
    "programme_view": "programmes",
    "follow_up": "programmes",
    "programme_closing": "programmes",
    "adaptation": "support",
    "adaptation_follow_up": "support",
    "support_report": "support",
    "support_investigation": "support",
    "support_outcome": "support",
    "support_view": "support",
    "message": "messages",
    "attachment": "messages",
}


@dataclass(frozen=True)
class Text:
    """One text of a document: ``name`` is the field a masking names ("body"), ``label`` its
    heading in the copy ("" for a message's body), ``markdown`` whether it is rendered as the
    dialogue's Markdown (else shown as plain text)."""

    name: str
    label: str
    value: str
    markdown: bool = True


@dataclass(frozen=True)
class File:
    """An attachment: masked only whole (its ``key`` names it)."""

    key: tuple[str, int]
    name: str
    content_type: str
    stored_name: str  # in the private storage
    is_image: bool


@dataclass
class Document:
    kind: str  # one of KINDS
    key: tuple[str, int]  # ("assessment", 7): what a masking names
    title: str  # "Bedömning i matematik, version 2"
    at: datetime.datetime  # when it was made or published (the copy's order)
    author: str  # who wrote or decided it
    facts: list[tuple[str, str]] = field(default_factory=list)  # ("Status", "Antaget"), shown as they are
    texts: list[Text] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    # What the copy calls the document when it is masked whole: its kind and date only
    # ("Meddelande 2026-11-03"), nothing of its content, subject or author.
    generic_title: str = ""

    def text(self, name: str) -> Text | None:
        return next((text for text in self.texts if text.name == name), None)

    def file(self, key: tuple[str, int]) -> File | None:
        return next((file for file in self.files if file.key == key), None)


@dataclass(frozen=True)
class Scope:
    """What a request covers: whose documents, as of when, and made in which period (either
    end open; the days are Swedish local days)."""

    student_id: int
    received_at: datetime.datetime
    period_from: datetime.date | None = None
    period_to: datetime.date | None = None

    @classmethod
    def of(cls, request: ReleaseRequest) -> Scope:
        return cls(request.student_id, request.received_at, request.period_from, request.period_to)

    def in_period(self, at: datetime.datetime) -> bool:
        day = timezone.localdate(at)
        return (self.period_from is None or self.period_from <= day) and (
            self.period_to is None or day <= self.period_to
        )

    def period_q(self, name: str) -> Q:
        """The period as a filter on a time column ``name`` (a prefilter: ``in_period``
        decides)."""
        where = Q()
        if self.period_from is not None:
            where &= Q(**{f"{name}__gte": _local_midnight(self.period_from)})
        if self.period_to is not None:
            where &= Q(**{f"{name}__lt": _local_midnight(self.period_to + datetime.timedelta(days=1))})
        return where


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def moment(at: datetime.datetime) -> str:
    """A time as the copy shows it (Swedish local time, the same in both languages)."""
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def day(at: datetime.datetime | datetime.date) -> str:
    if isinstance(at, datetime.datetime):
        return timezone.localdate(at).isoformat()
    return at.isoformat()


def _gatherers() -> dict[str, Callable[[Scope], list[Document]]]:
    """Each kind's reader (imported here: they build on the types above)."""
    from records.release import history, messages, programmes, support, talks

    return {
        "assessments": history.assessments,
        "talks": talks.talks,
        "goals": history.goals,
        "programmes": programmes.programmes,
        "support": support.support,
        "messages": messages.messages,
    }


def documents_in_scope(request: ReleaseRequest) -> list[Document]:
    """Every document the request covers, as it stood when it arrived: the student's own,
    of the kinds asked for, made in the period asked for; in the order of ``KINDS``, then by
    time. A bounded number of queries for each kind, whatever the number of rows."""
    scope = Scope.of(request)
    gatherers = _gatherers()
    found: list[Document] = []
    for kind in KINDS:
        if kind in request.kinds:
            found.extend(sorted(gatherers[kind](scope), key=lambda document: (document.at, document.key)))
    return found


def document_by_key(request: ReleaseRequest, key: tuple[str, int]) -> Document | None:
    """The document of the request with this key, or (for an attachment's key) the message
    it was sent with; None when the request does not cover it. Reads only that kind (one
    message, for the dialogue)."""
    from records.release import messages

    name, pk = key
    kind = DOCUMENT_KINDS.get(name)
    if kind is None or kind not in request.kinds:
        return None
    scope = Scope.of(request)
    if kind == "messages":
        found = messages.messages(
            scope, **({"attachment_id": pk} if name == "attachment" else {"message_id": pk})
        )
        return found[0] if found else None
    gather = _gatherers()[kind]
    return next((document for document in gather(scope) if document.key == key), None)
