"""The access log listens to the doors (``accounts.openings``): one INSERT per opening and no
other query, so that logging stays as cheap as the query-count tests say.

The role is read from the relation the door already computed, nearest first: a teacher who is
also a guardian of the student opened the page as a guardian. Nothing of what was read is
written: only who, as whom, whose page, which noun and id, when and through which channel.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from accounts.openings import opened, opened_together
from records.models import Opening

log = logging.getLogger("elevdialog.records")


def role_of(relation: Any) -> str | None:
    """The part the viewer had towards the student when opening (``policy.StudentRelation``),
    or None when the relation names none."""
    if getattr(relation, "is_self", False):
        return Opening.Role.STUDENT
    if getattr(relation, "is_guardian", False):
        return Opening.Role.GUARDIAN
    if getattr(relation, "is_mentor", False):
        return Opening.Role.MENTOR
    if getattr(relation, "taught_subject_ids", None):
        return Opening.Role.TEACHER
    if getattr(relation, "is_principal", False):
        return Opening.Role.PRINCIPAL
    if getattr(relation, "is_registrar", False):
        return Opening.Role.REGISTRAR
    return None


@receiver(opened, dispatch_uid="records.access_log")
def write_opening(
    sender: object,
    *,
    viewer_id: int,
    student_id: int,
    what: str,
    object_id: int | None,
    relation: Any,
    channel: str = Opening.Channel.PAGE,
    at: datetime.datetime | None = None,
    **_: Any,
) -> None:
    role = role_of(relation)
    if role is None:
        # A door only opens for someone with a part; a relation without one is a bug in a
        # door, told without naming anyone.
        log.error("an opening of %r without a role was not logged", what)
        return
    Opening.objects.create(
        at=at or timezone.now(),
        viewer_id=viewer_id,
        role=role,
        student_id=student_id,
        what=what[:30],
        object_id=object_id,
        channel=channel,
    )


@receiver(opened_together, dispatch_uid="records.access_log_together")
def write_openings(
    sender: object,
    *,
    viewer_id: int,
    what: str,
    relations: dict[int, Any],
    channel: str = Opening.Channel.PAGE,
    **_: Any,
) -> None:
    """Several students' records shown at once (the search's snippets): one INSERT."""
    now = timezone.now()
    rows = []
    for student_id, relation in sorted(relations.items()):
        role = role_of(relation)
        if role is None:
            log.error("an opening of %r without a role was not logged", what)
            continue
        rows.append(
            Opening(
                at=now, viewer_id=viewer_id, role=role, student_id=student_id, what=what[:30], channel=channel
            )
        )
    Opening.objects.bulk_create(rows)
