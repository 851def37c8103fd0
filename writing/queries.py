"""Reads of the writing kit."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from writing.models import FlaggedText


def flagged_texts(school_id: int, *, reviewed: bool = False) -> QuerySet[FlaggedText]:
    """The school's flagged texts waiting for review (or reviewed), newest first, with the
    people each names."""
    return (
        FlaggedText.objects.filter(school_id=school_id, reviewed_at__isnull=not reviewed)
        .select_related("author", "student", "reviewed_by")
        .order_by("-flagged_at")
    )


def flagged_waiting_by_school(school_ids: list[int]) -> dict[int, int]:
    """How many flagged texts wait for review in each school (schools with none omitted).
    One query."""
    rows = (
        FlaggedText.objects.filter(school_id__in=school_ids, reviewed_at__isnull=True)
        .values("school")
        .annotate(n=Count("pk"))
    )
    return {row["school"]: row["n"] for row in rows}
