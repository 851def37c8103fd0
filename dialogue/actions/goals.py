"""Goals (the IUP's mål) and the student's reflections on them.

A teacher of the student (or the principal) sets goals; the student and the guardians
propose them, and a teacher accepts (the goal becomes active) or declines (with an optional
reason) each proposal. Nothing is deleted: a change of a goal's text, area, target date or
status keeps the earlier version as a revision, a declined proposal stays with its decision,
and a revised goal may be replaced by a new goal that names it. Only the student reflects.

Each goal is a card in its subject's thread (or the general thread): posted when the goal is
set or proposed, and updated in place at every change, decision and reflection.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.errors import NotFound, Refused, require
from accounts.models import CurriculumArea, Subject, User
from dialogue import doors
from dialogue.actions.cards import CardKind, in_subject_thread, refresh_card, show_card
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_DECLINE_REASON,
    MAX_GOAL_TEXT,
    MAX_REFLECTION_TEXT,
    Goal,
    GoalReflection,
    GoalRevision,
)
from dialogue.payloads import goal_card
from writing.texts import checked_text, guard_texts

# Statuses a teacher moves a goal between once it exists (proposals are accepted or declined).
SETTABLE = (Goal.Status.ACTIVE, Goal.Status.REACHED, Goal.Status.REVISED)


def check_area(subject: Subject | None, area: CurriculumArea | None) -> None:
    if area is not None and (subject is None or area.subject_id != subject.pk):
        raise Refused("unknown_area", _("That area does not belong to the chosen subject."))


def _check_target_date(target_date: datetime.date | None) -> None:
    if target_date is not None and target_date < policy.today():
        raise Refused("past_date", _("The target date has already passed. Choose a later date."))


def _goal_text(text: str) -> str:
    return checked_text(text, _("Goal"), MAX_GOAL_TEXT, required=True)


GOAL_CARD: CardKind[Goal] = CardKind(draw=goal_card, thread=in_subject_thread)


def _unknown_goal() -> Refused:
    return Refused("unknown_goal", _("That goal does not exist."))


def _goal(goal_id: int, *, lock: bool = False) -> Goal | None:
    """The goal with what its card needs. ``lock`` (inside a transaction) holds its row until
    the transaction ends, so two teachers deciding one proposal at once are taken in turn."""
    goals = Goal.objects.select_related(
        "student", "subject", "area", "created_by", "decided_by", "message__page", "message__author"
    )
    if lock:
        goals = goals.select_for_update(of=("self",))
    return goals.filter(pk=goal_id).first()


def _opened_goal(actor: User, goal_id: int, student_id: int | None) -> tuple[doors.PageAccess, Goal]:
    """The goal (locked) with the actor's access to its student's page. A goal that is missing,
    not the given student's, or on a page the actor may not read is not found alike.
    Precondition: inside a transaction."""
    goal = _goal(goal_id, lock=True)
    if goal is None or (student_id is not None and goal.student_id != student_id):
        raise NotFound("unknown_goal", _("That goal does not exist."))
    try:
        access = doors.student_page(actor, goal.student_id, opening=False)
    except NotFound:
        raise NotFound("unknown_goal", _("That goal does not exist.")) from None
    return access, goal


def _keep_version(goal: Goal, actor: User) -> None:
    """Keep the goal as it is now as a revision; the caller then writes the new version."""
    GoalRevision.objects.create(
        goal=goal,
        text=goal.text,
        status=goal.status,
        area_id=goal.area_id,
        target_date=goal.target_date,
        written_by_id=goal.updated_by_id,
        written_at=goal.updated_at,
    )
    goal.updated_by = actor
    goal.updated_at = timezone.now()


def _new_goal(
    access: doors.PageAccess,
    *,
    status: str,
    text: str,
    subject: Subject | None,
    area: CurriculumArea | None,
    target_date: datetime.date | None,
    send_anyway: bool,
    replaces_id: int | None = None,
) -> Goal:
    """A goal set (active) or proposed, with its card. Teachers and the principal set goals,
    the student and guardians propose them."""
    proposed = status == Goal.Status.PROPOSED
    require(access.relation.may_propose_goals if proposed else access.relation.may_set_goals)
    summary = _summary(_("Proposed goal (%(subject)s)") if proposed else _("New goal (%(subject)s)"), subject)
    text = _goal_text(text)
    check_area(subject, area)
    _check_target_date(target_date)
    findings = guard_texts({"text": text}, send_anyway=send_anyway)
    actor, student, page = access.viewer, access.student, access.page
    with transaction.atomic():
        replaces = _replace(actor, student, replaces_id) if replaces_id is not None else None
        goal = Goal.objects.create(
            student=student,
            subject=subject,
            area=area,
            text=text,
            target_date=target_date,
            status=status,
            proposed=status == Goal.Status.PROPOSED,
            created_by=actor,
            updated_by=actor,
            updated_at=timezone.now(),
            replaces=replaces,
        )
        show_card(actor, page, goal, GOAL_CARD, summary=summary)
        if replaces is not None:
            refresh_card(replaces, GOAL_CARD)  # "replaced by a new goal"
        flag_student_text(actor, page.student_id, FlagSource.GOAL, goal.pk, {"text": text}, findings)
        events.announce(
            "goal.proposed" if goal.proposed else "goal.set",
            actor_id=actor.pk,
            student_id=student.pk,
            page_id=page.pk,
            goal_id=goal.pk,
            subject_id=goal.subject_id,
        )
    return goal


def _replace(actor: User, student: User, goal_id: int) -> Goal:
    """The student's goal that a new goal replaces, marked revised if it is not already.
    Precondition: inside a transaction (the goal stays locked until it ends)."""
    old = _goal(goal_id, lock=True)
    if old is None or old.student_id != student.pk:
        raise _unknown_goal()
    if old.status not in (Goal.Status.ACTIVE, Goal.Status.REVISED):
        raise Refused("not_replaceable", _("Only an active or revised goal can be replaced by a new goal."))
    if Goal.objects.filter(replaces=old).exists():
        raise Refused("replaced", _("That goal has already been replaced by a new goal."))
    if old.status != Goal.Status.REVISED:
        _keep_version(old, actor)
        old.status = Goal.Status.REVISED
        old.save(update_fields=["status", "updated_by", "updated_at"])
    return old


def _summary(template: str, subject: Subject | None) -> str:
    return template % {"subject": subject.name_sv if subject else _("general")}


def set_goal(
    actor: User,
    student: User | int,
    *,
    text: str,
    subject: Subject | None = None,
    area: CurriculumArea | None = None,
    target_date: datetime.date | None = None,
    replaces_id: int | None = None,
    send_anyway: bool = False,
) -> Goal:
    """A teacher of the student (or the principal) sets an active goal; with ``replaces_id``
    it replaces one of the student's active or revised goals, which becomes revised."""
    return _new_goal(
        doors.student_page(actor, student, opening=False),
        status=Goal.Status.ACTIVE,
        text=text,
        subject=subject,
        area=area,
        target_date=target_date,
        send_anyway=send_anyway,
        replaces_id=replaces_id,
    )


def propose_goal(
    actor: User,
    student: User | int,
    *,
    text: str,
    subject: Subject | None = None,
    area: CurriculumArea | None = None,
    target_date: datetime.date | None = None,
    send_anyway: bool = False,
) -> Goal:
    """The student or a guardian proposes a goal; a teacher accepts or declines it."""
    return _new_goal(
        doors.student_page(actor, student, opening=False),
        status=Goal.Status.PROPOSED,
        text=text,
        subject=subject,
        area=area,
        target_date=target_date,
        send_anyway=send_anyway,
    )


def _goal_to_change(actor: User, goal_id: int, student_id: int | None) -> Goal:
    """The goal, locked, if the actor may set the student's goals. Precondition: inside a
    transaction."""
    access, goal = _opened_goal(actor, goal_id, student_id)
    require(access.relation.may_set_goals)
    return goal


def _decide(actor: User, goal: Goal, status: str, reason: str = "") -> Goal:
    if goal.status != Goal.Status.PROPOSED:
        raise Refused("decided", _("This proposal has already been decided."))
    _keep_version(goal, actor)
    goal.status = status
    goal.decided_by = actor
    goal.decided_at = goal.updated_at
    goal.decline_reason = reason
    goal.save(
        update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_by", "updated_at"]
    )
    refresh_card(goal, GOAL_CARD)
    events.announce(
        "goal.accepted" if status == Goal.Status.ACTIVE else "goal.declined",
        actor_id=actor.pk,
        student_id=goal.student_id,
        page_id=goal.message.page_id if goal.message else None,
        goal_id=goal.pk,
        decided_by=actor.pk,
    )
    return goal


def accept_goal(actor: User, goal_id: int, *, student_id: int | None = None) -> Goal:
    """A teacher accepts a proposal: it becomes an active goal. ``student_id``, when given,
    is whose goal it must be (the page the form was on)."""
    with transaction.atomic():
        return _decide(actor, _goal_to_change(actor, goal_id, student_id), Goal.Status.ACTIVE)


def decline_goal(
    actor: User, goal_id: int, *, reason: str = "", send_anyway: bool = False, student_id: int | None = None
) -> Goal:
    """A teacher declines a proposal, optionally saying why; the proposal stays on record."""
    with transaction.atomic():
        goal = _goal_to_change(actor, goal_id, student_id)
        reason = checked_text(reason, _("Reason"), MAX_DECLINE_REASON)
        findings = guard_texts({"reason": reason}, send_anyway=send_anyway)
        _decide(actor, goal, Goal.Status.DECLINED, reason)
        flag_student_text(actor, goal.student_id, FlagSource.GOAL, goal.pk, {"reason": reason}, findings)
    return goal


def change_goal_status(actor: User, goal_id: int, *, status: str, student_id: int | None = None) -> Goal:
    """A teacher marks a goal active, reached or revised (the earlier status is kept)."""
    with transaction.atomic():
        goal = _goal_to_change(actor, goal_id, student_id)
        if status not in SETTABLE:
            raise Refused("bad_status", _("Choose active, reached or revised."))
        if goal.status == Goal.Status.PROPOSED:
            raise Refused("proposal", _("Accept or decline the proposal first."))
        if goal.status == Goal.Status.DECLINED:
            raise Refused("declined", _("A declined proposal cannot be changed."))
        if goal.status == status:
            return goal
        if Goal.objects.filter(replaces=goal).exists():
            raise Refused(
                "replaced", _("This goal has been replaced by a new goal. Change that one instead.")
            )
        _keep_version(goal, actor)
        goal.status = status
        goal.save(update_fields=["status", "updated_by", "updated_at"])
        refresh_card(goal, GOAL_CARD)
        events.announce(
            "goal.status_changed",
            actor_id=actor.pk,
            student_id=goal.student_id,
            goal_id=goal.pk,
            status=status,
        )
    return goal


def edit_goal(
    actor: User,
    goal_id: int,
    *,
    text: str,
    area: CurriculumArea | None = None,
    target_date: datetime.date | None = None,
    send_anyway: bool = False,
    student_id: int | None = None,
) -> Goal:
    """A teacher changes a goal's text, area or target date; the earlier version is kept.
    The subject stays (the card lives in the subject's thread)."""
    with transaction.atomic():
        goal = _goal_to_change(actor, goal_id, student_id)
        if goal.status == Goal.Status.DECLINED:
            raise Refused("declined", _("A declined proposal cannot be changed."))
        text = _goal_text(text)
        check_area(goal.subject, area)
        if target_date != goal.target_date:
            _check_target_date(target_date)
        if (text, area.pk if area else None, target_date) == (goal.text, goal.area_id, goal.target_date):
            return goal
        findings = guard_texts({"text": text}, send_anyway=send_anyway)
        _keep_version(goal, actor)
        goal.text, goal.area, goal.target_date = text, area, target_date
        goal.save(update_fields=["text", "area", "target_date", "updated_by", "updated_at"])
        refresh_card(goal, GOAL_CARD)
        flag_student_text(actor, goal.student_id, FlagSource.GOAL, goal.pk, {"text": text}, findings)
    return goal


def reflect_on_goal(
    actor: User, goal_id: int, *, text: str, send_anyway: bool = False, student_id: int | None = None
) -> GoalReflection:
    """The student writes a reflection on one of their goals (once it is not a proposal)."""
    with transaction.atomic():
        access, goal = _opened_goal(actor, goal_id, student_id)
        require(access.relation.may_write_self_assessment)
        if goal.status not in SETTABLE:
            raise Refused("not_a_goal_yet", _("You can reflect on a goal once a teacher has accepted it."))
        text = checked_text(text, _("Reflection"), MAX_REFLECTION_TEXT, required=True)
        findings = guard_texts({"text": text}, send_anyway=send_anyway)
        reflection = GoalReflection.objects.create(goal=goal, author=actor, text=text)
        refresh_card(goal, GOAL_CARD)
        flag_student_text(
            actor,
            goal.student_id,
            FlagSource.GOAL_REFLECTION,
            reflection.pk,
            {"text": text},
            findings,
        )
        events.announce(
            "goal.reflected",
            student_id=goal.student_id,
            goal_id=goal.pk,
            reflection_id=reflection.pk,
            actor_id=actor.pk,
        )
    return reflection
