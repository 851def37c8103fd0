"""Self-assessments: the student rates themself against one of their goals or against a
subject (or an area of it) on a three-step scale, in their own words. Only the student
writes them; everyone on the page reads them. Each is a card in the subject's thread (or
the general thread, for a general goal)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import Refused, require
from accounts.models import CurriculumArea, Subject, User
from dialogue import doors
from dialogue.actions.cards import CardKind, in_subject_thread, show_card
from dialogue.actions.goals import check_area
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import MAX_SELF_ASSESSMENT_TEXT, Goal, SelfAssessment
from dialogue.payloads import self_assessment_card
from writing.texts import checked_text, guard_texts

# Goals a student rates themself against: those being worked on, and those reached.
ASSESSABLE = (Goal.Status.ACTIVE, Goal.Status.REACHED)
SELF_ASSESSMENT_CARD: CardKind[SelfAssessment] = CardKind(draw=self_assessment_card, thread=in_subject_thread)


def write_self_assessment(
    actor: User,
    student: User | int,
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
    access = doors.student_page(actor, student, opening=False)
    require(access.relation.may_write_self_assessment)
    student = access.student
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
    page = access.page
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(
            student=student, goal=goal, subject=subject, area=area, level=level, text=text
        )
        show_card(
            actor,
            page,
            assessment,
            SELF_ASSESSMENT_CARD,
            summary=_("Self-assessment (%(subject)s)")
            % {"subject": subject.name_sv if subject else _("general")},
        )
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
