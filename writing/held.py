"""The writing kit's kinds in the register of what is held (``accounts.held``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.held import HeldKind, columns, declare, name_of, where
from writing.models import FlaggedText

FLAGGED_FIELDS = {
    "id": "The record's number in Elevdialog.",
    "source": "What kind of text it was (a message, a goal, a blog comment...).",
    "source_id": "The number of that text.",
    "author": "Who wrote it.",
    "text": "The text as it was when it was saved despite the warning.",
    "findings": "What the guard warned about: a list of {category, term, matched}.",
    "flagged_at": "When it was saved.",
    "reviewed_at": "When the principal reviewed it; null if not yet.",
    "reviewed_by": "The principal who reviewed it.",
    "review_note": "The principal's note.",
}
# A text in a student's records (``student`` set) is in that student's record; every flagged
# text is also about its author (a blog comment's has no student).
FLAGGED_TEXT = HeldKind(
    name="writing.flaggedtext",
    model=FlaggedText,
    label=_("Texts saved despite a warning"),
    fields=FLAGGED_FIELDS,
    export=columns(
        FLAGGED_FIELDS,
        author=lambda row: name_of(row.author),
        reviewed_by=lambda row: name_of(row.reviewed_by),
    ),
    of_student=where(FlaggedText, "student_id"),
    of_person=where(FlaggedText, "author_id"),
    related=("author", "reviewed_by"),
)

declare(FLAGGED_TEXT)
