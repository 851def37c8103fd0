"""The principal's review of texts saved despite the sensitive-text guard's warning."""

from __future__ import annotations

from django.utils import timezone

from accounts import policy
from accounts.actions.actor import require
from accounts.models import User
from dialogue.models import FlaggedText


def review_flagged_text(actor: User, flag: FlaggedText, *, note: str = "") -> FlaggedText:
    """Mark a flagged text as reviewed, with an optional note (what was done about it)."""
    require(policy.can_review_flagged_texts(actor, flag.school))
    if flag.reviewed_at is None:
        flag.reviewed_at = timezone.now()
        flag.reviewed_by = actor
        flag.review_note = note.strip()[:500]
        flag.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return flag
