"""Self-assessments: the student rates themself against one of their goals or against a
subject (or an area of it) on a three-step scale, in their own words. Only the student
writes them; everyone on the page reads them. Each is a card in the subject's thread (or
the general thread, for a general goal)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.errors import Refused, require
from accounts.models import CurriculumArea, Subject, User
from dialogue.actions.cards import post_card, subject_thread
from dialogue.actions.goals import check_area
from dialogue.actions.pages import ensure_page
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import MAX_SELF_ASSESSMENT_TEXT, Goal, SelfAssessment
from dialogue.payloads import self_assessment_card
from writing.texts import checked_text, guard_texts

# Goals a student rates themself against: those being worked on, and those reached.
ASSESSABLE = (Goal.Status.ACTIVE, Goal.Status.REACHED)


def write_self_assessment(
    actor: User,
    student: User,
    *,
    level: str,
    text: str = "",
    goal_id: int | None = None,
    subject: Subject | None = None,
    area: CurriculumArea | None = None,
    send_anyway: bool = False,
) -> SelfAssessment:
    """Save the student's self-assessment of a goal (``goal_id``) or of a subject (with an
    optional ``area`` of it), and put its card on the page."""
    require(policy.can_write_self_assessment(actor, student))
    if level not in SelfAssessment.Level.values:
        raise Refused("bad_level", _("Choose how it is going: one of the three answers."))
    goal = None
    if goal_id is not None:
        goal = Goal.objects.select_related("subject").filter(pk=goal_id, student=student).first()
        if goal is None or goal.status not in ASSESSABLE:
            raise Refused("unknown_goal", _("Choose one of your active or reached goals."))
        subject, area = goal.subject, None
    elif subject is None:
        raise Refused("no_target", _("Choose a goal or a subject to rate yourself against."))
    check_area(subject, area)
    text = checked_text(text, _("In your own words"), MAX_SELF_ASSESSMENT_TEXT)
    findings = guard_texts({"text": text}, send_anyway=send_anyway)
    page = ensure_page(actor, student)
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(
            student=student, goal=goal, subject=subject, area=area, level=level, text=text
        )
        assessment.message = post_card(
            actor,
            page,
            subject_thread(page, subject),
            card=self_assessment_card(assessment),
            summary=_("Self-assessment (%(subject)s)")
            % {"subject": subject.name_sv if subject else _("general")},
        )
        assessment.save(update_fields=["message"])
        flag_student_text(
            actor, page.student_id, FlagSource.SELF_ASSESSMENT, assessment.pk, {"text": text}, findings
        )
        events.announce(
            "self_assessment.written",
            actor_id=actor.pk,
            student_id=student.pk,
            page_id=page.pk,
            self_assessment_id=assessment.pk,
            subject_id=assessment.subject_id,
        )
    return assessment
