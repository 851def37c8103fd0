"""Writes of the writing kit: putting a text saved despite the guard on the principal's review
list, and the principal's review of it."""

from __future__ import annotations

from django.utils import timezone

from accounts import policy
from accounts.errors import require
from accounts.models import User
from writing import guard
from writing.models import FlaggedText


def flag_text(
    *,
    school_id: int,
    student_id: int | None,
    author: User,
    source: str,
    source_id: int,
    text: str,
    findings: list[guard.Finding],
) -> FlaggedText | None:
    """Put a text saved despite the guard's findings on the school principal's review list
    (``student_id`` is None for texts outside a student's records, such as the class blog).
    Nothing is flagged when there are no findings. Precondition: inside the transaction that
    saved the text."""
    if not findings:
        return None
    return FlaggedText.objects.create(
        school_id=school_id,
        student_id=student_id,
        source=source,
        source_id=source_id,
        author=author,
        text=text,
        findings=[{"category": f.category, "term": f.term, "matched": f.matched} for f in findings],
    )


def review_flagged_text(actor: User, flag: FlaggedText, *, note: str = "") -> FlaggedText:
    """Mark a flagged text as reviewed, with an optional note (what was done about it)."""
    require(policy.can_review_flagged_texts(actor, flag.school))
    if flag.reviewed_at is None:
        flag.reviewed_at = timezone.now()
        flag.reviewed_by = actor
        flag.review_note = note.strip()[:500]
        flag.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return flag
