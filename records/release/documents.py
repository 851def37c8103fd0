"""The documents a request for public records covers, each as it stood when the request
arrived.

Only public records appear: published assessments (every published version), goals (the text
in force then, and each earlier version), reflections and self-assessments, development talks
with their IUP records (and earlier records), action programmes' decided versions with the
views given, the decisions and the follow-ups, and the dialogue's messages with their
attachments (each as it read then: a later edit keeps the earlier text as a revision). Drafts
(an assessment or a programme version never published or decided, a saved draft of a
programme) are not public records and never appear.

A ``Document`` is plain data: the review page shows its texts for selection, and the copy
renders them with the masked ranges replaced. Its ``key`` ("message", 42) is what a masking
names; its texts are the exact stored texts, so a masked range is a range of stored text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a request can ask for, in the order the copy shows them.
KINDS: dict[str, str | Promise] = {
    "assessments": _("Written assessments"),
    "talks": _("Development talks and IUPs"),
    "goals": _("Goals and self-assessments"),
    "programmes": _("Action programmes"),
    "messages": _("Messages in the dialogue"),
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
