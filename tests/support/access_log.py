"""Access-log rows for tests, written through the real path: the door's signal
(``accounts.openings.record_opening``) and the records receiver."""

from __future__ import annotations

import datetime
from typing import Any

from accounts import openings, policy
from accounts.models import User
from records.models import Opening
from tests.support.cast import Cast


def open_page(
    viewer: User,
    student: User,
    *,
    what: str = "page",
    at: datetime.datetime | None = None,
    channel: str = openings.PAGE,
) -> Opening:
    """Record that ``viewer`` opened ``student``'s page (as the door does), and return the row."""
    relation = policy.relation_to_student(viewer, student)
    with openings.through(channel):
        openings.record_opening(
            viewer_id=viewer.pk, student_id=student.pk, what=what, object_id=None, relation=relation, at=at
        )
    return Opening.objects.filter(viewer_id=viewer.pk, student_id=student.pk).latest("pk")


def access_log_objects(cast: Cast) -> dict[str, Any]:
    """The principal's opening of the student's page (a finding of the principal's review)."""
    return {"opening": open_page(cast.principal, cast.student)}
