"""The student's goals and self-assessments in the browser: plain pages with plain forms
(they work without scripts), each form shown to whoever may use it.

A form whose text is refused (too long, empty) or that the sensitive-text guard has
something to say about comes back on the page with what was written, the reason, and (for
the guard) a "save anyway" button. Refusals about the state of a goal (a proposal someone
else has just decided) come back as a message at the top of the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import Refused, SensitiveText
from accounts.models import CurriculumArea, Subject, User
from dialogue import queries
from dialogue.actions import goals as actions
from dialogue.actions.pages import ensure_page
from dialogue.actions.self_assessments import ASSESSABLE, write_self_assessment
from dialogue.models import (
    MAX_DECLINE_REASON,
    MAX_GOAL_TEXT,
    MAX_REFLECTION_TEXT,
    MAX_SELF_ASSESSMENT_TEXT,
    Goal,
    SelfAssessment,
)
from writing.guard import findings_payload

# Refusals of what was written: the form comes back with the text to correct.
INPUT_REFUSALS = frozenset(
    {
        "empty",
        "too_long",
        "unknown_area",
        "unknown_subject",
        "past_date",
        "bad_date",
        "bad_level",
        "no_target",
    }
)
# The order of the goals page's sections.
SECTIONS = (
    Goal.Status.PROPOSED,
    Goal.Status.ACTIVE,
    Goal.Status.REACHED,
    Goal.Status.REVISED,
    Goal.Status.DECLINED,
)


@dataclass
class FormState:
    """A form that comes back: which one (and for which goal), what was in it, and why."""

    form: str
    goal_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _subject(value: str) -> Subject | None:
    if not value:
        return None
    subject = Subject.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if subject is None:
        raise Refused("unknown_subject", _("Choose a subject from the list."))
    return subject


def _area(value: str) -> CurriculumArea | None:
    if not value:
        return None
    area = (
        CurriculumArea.objects.select_related("subject").filter(pk=int(value)).first()
        if value.isdigit()
        else None
    )
    if area is None:
        raise Refused("unknown_area", _("Choose an area from the list."))
    return area


def _date(value: str) -> datetime.date | None:
    if not value.strip():
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(
            "bad_date", _("Write the target date as year-month-day, for example 2027-05-31.")
        ) from None


def _send_anyway(request: HttpRequest) -> bool:
    return request.POST.get("send_anyway") == "1"


def _goals_url(student: User, goal_id: int | None = None) -> str:
    url = reverse("goals", args=[student.pk])
    return f"{url}#goal-{goal_id}" if goal_id else url


SubjectChoice = tuple[Subject, list[CurriculumArea]]


def _subject_choices(user: User, student: User) -> list[SubjectChoice]:
    """The subjects of the student's page (taught now or earlier) with their areas. Two
    queries after the page's."""
    page = ensure_page(user, student)
    subjects = [thread.subject for thread in queries.threads_of(page) if thread.subject is not None]
    areas: dict[int, list[CurriculumArea]] = {subject.pk: [] for subject in subjects}
    for area in CurriculumArea.objects.filter(subject__in=subjects):
        areas[area.subject_id].append(area)
    return [(subject, areas[subject.pk]) for subject in subjects]


# --- Goals ---------------------------------------------------------------------------------


@dataclass
class GoalItem:
    """A goal as the goals page shows it: with the goal that replaced it, the form of it
    that came back (if any), and what its edit form offers and holds."""

    goal: Goal
    successor: Goal | None
    state: FormState | None
    # The edit form offers the areas of the goal's own subject only.
    area_choices: list[SubjectChoice]
    edit_values: dict[str, str]

    @property
    def edit_prefix(self) -> str:
        return f"edit-{self.goal.pk}"

    @property
    def edit_focus(self) -> bool:
        return self.state is not None and self.state.form == "edit"


def _items(goals: list[Goal], state: FormState | None, subjects: list[SubjectChoice]) -> list[GoalItem]:
    areas = {subject.pk: subject_areas for subject, subject_areas in subjects}
    items = []
    for goal in goals:
        own_state = state if state is not None and state.goal_id == goal.pk else None
        current = {
            "text": goal.text,
            "area": str(goal.area_id or ""),
            "target_date": goal.target_date.isoformat() if goal.target_date else "",
        }
        items.append(
            GoalItem(
                goal=goal,
                successor=getattr(goal, "replaced_by", None),  # the reverse one-to-one, or none
                state=own_state,
                area_choices=[(goal.subject, areas[goal.subject.pk])]
                if goal.subject is not None and goal.subject.pk in areas
                else [],
                edit_values=own_state.values
                if own_state is not None and own_state.form == "edit"
                else current,
            )
        )
    return items


def _goals_page(request: HttpRequest, student: User, state: FormState | None = None) -> HttpResponse:
    user = _user(request)
    subjects = _subject_choices(user, student)
    items = _items(queries.goals_of(student), state, subjects)
    by_status: dict[str, list[GoalItem]] = {status: [] for status in SECTIONS}
    for item in items:
        by_status[item.goal.status].append(item)
    labels = dict(Goal.Status.choices)
    return render(
        request,
        "frontend/goals.html",
        {
            "student": student,
            "sections": [(status, labels[status], by_status[status]) for status in SECTIONS],
            "goal_count": len(items),
            "can_set": policy.can_set_goals(user, student),
            "can_propose": policy.can_propose_goals(user, student),
            "can_reflect": policy.can_write_self_assessment(user, student),
            "subjects": subjects,
            "replaceable": [
                item.goal
                for item in items
                if item.goal.status in (Goal.Status.ACTIVE, Goal.Status.REVISED) and item.successor is None
            ],
            "statuses": [(status, labels[status]) for status in actions.SETTABLE],
            "state": state if state is not None and state.goal_id is None else None,
            "today": policy.today().isoformat(),
            "limits": {
                "goal": MAX_GOAL_TEXT,
                "reason": MAX_DECLINE_REASON,
                "reflection": MAX_REFLECTION_TEXT,
            },
            "current": "goals",
        },
    )


@require_GET
@login_required
def goals_view(request: HttpRequest, student_id: int) -> HttpResponse:
    return _goals_page(request, policy.access_student(request.user, student_id))


def _submit(
    request: HttpRequest,
    student: User,
    form: str,
    act: Callable[[], Goal],
    done: str,
    goal_id: int | None = None,
) -> HttpResponse:
    """Run the action; on success back to the page at the goal with ``done`` said. Someone
    who may read the page but not do this gets the same 404 as an outsider."""
    try:
        goal = act()
    except PermissionDenied:
        raise Http404 from None
    except SensitiveText as warning:
        state = FormState(form, goal_id, request.POST.dict(), findings=findings_payload(warning.findings))
        return _goals_page(request, student, state)
    except Refused as refusal:
        if refusal.code in INPUT_REFUSALS:
            return _goals_page(
                request, student, FormState(form, goal_id, request.POST.dict(), refusal.message)
            )
        messages.error(request, refusal.message)
        return redirect(_goals_url(student, goal_id))
    messages.success(request, done)
    return redirect(_goals_url(student, goal.pk))


def _goal_id(student: User, goal_id: int) -> int:
    """The goal's id if it is one of the student's; 404 otherwise."""
    if not Goal.objects.filter(pk=goal_id, student=student).exists():
        raise Http404
    return goal_id


def _goal_fields(request: HttpRequest) -> dict[str, Any]:
    """A new goal's fields from the form (refused when a choice is not one offered)."""
    post = request.POST
    return {
        "text": post.get("text", ""),
        "subject": _subject(post.get("subject", "")),
        "area": _area(post.get("area", "")),
        "target_date": _date(post.get("target_date", "")),
        "send_anyway": _send_anyway(request),
    }


def _replaces(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@require_POST
@login_required
def goal_set_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """A teacher (or the principal) sets a goal, possibly replacing a revised one."""
    user = _user(request)
    student = policy.access_student(user, student_id)
    return _submit(
        request,
        student,
        "set",
        lambda: actions.set_goal(
            user, student, replaces_id=_replaces(request.POST.get("replaces", "")), **_goal_fields(request)
        ),
        _("The goal is saved."),
    )


@require_POST
@login_required
def goal_propose_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student or a guardian proposes a goal."""
    user = _user(request)
    student = policy.access_student(user, student_id)
    return _submit(
        request,
        student,
        "propose",
        lambda: actions.propose_goal(user, student, **_goal_fields(request)),
        _("Your proposal is saved. A teacher will accept or decline it."),
    )


@require_POST
@login_required
def goal_accept_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    goal_id = _goal_id(student, goal_id)
    return _submit(
        request,
        student,
        "accept",
        lambda: actions.accept_goal(user, goal_id),
        _("The proposal is accepted; it is now an active goal."),
        goal_id,
    )


@require_POST
@login_required
def goal_decline_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    goal_id = _goal_id(student, goal_id)
    return _submit(
        request,
        student,
        "decline",
        lambda: actions.decline_goal(
            user, goal_id, reason=request.POST.get("reason", ""), send_anyway=_send_anyway(request)
        ),
        _("The proposal is declined. It stays on the page with your decision."),
        goal_id,
    )


@require_POST
@login_required
def goal_status_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    goal_id = _goal_id(student, goal_id)
    return _submit(
        request,
        student,
        "status",
        lambda: actions.change_goal_status(user, goal_id, status=request.POST.get("status", "")),
        _("The goal's status is saved."),
        goal_id,
    )


@require_POST
@login_required
def goal_edit_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    goal_id = _goal_id(student, goal_id)
    post = request.POST
    return _submit(
        request,
        student,
        "edit",
        lambda: actions.edit_goal(
            user,
            goal_id,
            text=post.get("text", ""),
            area=_area(post.get("area", "")),
            target_date=_date(post.get("target_date", "")),
            send_anyway=_send_anyway(request),
        ),
        _("The goal is changed. The earlier version is kept."),
        goal_id,
    )


@require_POST
@login_required
def goal_reflect_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    goal_id = _goal_id(student, goal_id)

    def reflect() -> Goal:
        reflection = actions.reflect_on_goal(
            user, goal_id, text=request.POST.get("text", ""), send_anyway=_send_anyway(request)
        )
        return reflection.goal

    return _submit(request, student, "reflect", reflect, _("Your reflection is saved."), goal_id)


# --- Self-assessments ------------------------------------------------------------------------


def _goal_label(goal: Goal) -> str:
    text = Truncator(goal.text).chars(80)
    return f"{goal.subject.name}: {text}" if goal.subject else text


def _about_choices(user: User, student: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a student can rate themself against, for the form's one select: their goals,
    then each subject as a whole and its areas."""
    goals = [goal for goal in queries.current_goals(student) if goal.status in ASSESSABLE]
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if goals:
        groups.append(
            (
                _("My goals"),
                [(f"goal:{goal.pk}", _goal_label(goal)) for goal in goals],
            )
        )
    for subject, areas in _subject_choices(user, student):
        options = [(f"subject:{subject.pk}", _("%(subject)s as a whole") % {"subject": subject.name})]
        groups.append((subject.name, options + [(f"area:{area.pk}", area.name) for area in areas]))
    return groups


def _self_assessments_page(
    request: HttpRequest, student: User, state: FormState | None = None
) -> HttpResponse:
    user = _user(request)
    can_write = policy.can_write_self_assessment(user, student)
    return render(
        request,
        "frontend/self_assessments.html",
        {
            "student": student,
            "assessments": queries.self_assessments_of(student),
            "can_write": can_write,
            "about_choices": _about_choices(user, student) if can_write else [],
            "levels": SelfAssessment.Level.choices,
            "state": state,
            "limit": MAX_SELF_ASSESSMENT_TEXT,
            "current": "self-assessments",
        },
    )


@require_GET
@login_required
def self_assessments_view(request: HttpRequest, student_id: int) -> HttpResponse:
    return _self_assessments_page(request, policy.access_student(request.user, student_id))


def _about(value: str) -> dict[str, Any]:
    """The one select of the form says what is assessed: "goal:<id>", "subject:<id>" or
    "area:<id>" (an area names its subject)."""
    kind, _sep, pk = value.partition(":")
    if kind == "goal" and pk.isdigit():
        return {"goal_id": int(pk)}
    if kind == "subject":
        return {"subject": _subject(pk)}
    if kind == "area":
        area = _area(pk)
        return {"subject": area.subject if area else None, "area": area}
    return {}


@require_POST
@login_required
def self_assessment_new_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    post = request.POST
    try:
        assessment = write_self_assessment(
            user,
            student,
            level=post.get("level", ""),
            text=post.get("text", ""),
            send_anyway=_send_anyway(request),
            **_about(post.get("about", "")),
        )
    except PermissionDenied:
        raise Http404 from None
    except SensitiveText as warning:
        state = FormState("new", values=post.dict(), findings=findings_payload(warning.findings))
        return _self_assessments_page(request, student, state)
    except Refused as refusal:
        return _self_assessments_page(
            request, student, FormState("new", values=post.dict(), error=refusal.message)
        )
    messages.success(request, _("Your self-assessment is saved."))
    url = reverse("self-assessments", args=[student.pk])
    return redirect(f"{url}#self-assessment-{assessment.pk}")
