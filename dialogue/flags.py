"""The dialogue's kinds of flagged text, and flagging a text of a student's records for the
principal of the student's school."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Enrolment, User
from writing import guard
from writing.actions import flag_text


class FlagSource(models.TextChoices):
    MESSAGE = "message", _("Message")
    MESSAGE_EDIT = "message_edit", _("Edited message")
    ASSESSMENT = "assessment", _("Written assessment")
    GOAL = "goal", _("Goal")
    GOAL_REFLECTION = "goal_reflection", _("Reflection on a goal")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    TALK = "talk", _("Development talk")
    ACTION_PROGRAMME = "action_programme", _("Action programme")
    ADAPTATION = "adaptation", _("Extra adaptation")
    SUPPORT_CASE = "support_case", _("Report of a need for special support")


def flag_student_text(
    actor: User,
    student_id: int,
    source: FlagSource,
    source_id: int,
    texts: Mapping[str, str],
    findings: list[guard.Finding],
) -> None:
    """Put a text of the student's records saved despite the guard's findings (its fields
    joined) on the review list of the principal of the student's school (the latest one).
    Nothing happens without findings. Precondition: inside the saving transaction."""
    if not findings:
        return
    school_id = (
        Enrolment.objects.filter(student_id=student_id)
        .order_by("-starts_on")
        .values_list("school_class__school_id", flat=True)
        .first()
    )
    if school_id is None:
        return  # a student in no school: no principal to review (cannot happen for a writable page)
    flag_text(
        school_id=school_id,
        student_id=student_id,
        author=actor,
        source=source,
        source_id=source_id,
        text="\n\n".join(value for value in texts.values() if value),
        findings=findings,
    )
