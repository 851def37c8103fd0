"""Reads of the writing kit."""

from __future__ import annotations

from django.db.models import QuerySet

from writing.models import FlaggedText


def flagged_texts(school_id: int, *, reviewed: bool = False) -> QuerySet[FlaggedText]:
    """The school's flagged texts waiting for review (or reviewed), newest first, with the
    people each names."""
    return (
        FlaggedText.objects.filter(school_id=school_id, reviewed_at__isnull=not reviewed)
        .select_related("author", "student", "reviewed_by")
        .order_by("-flagged_at")
    )
