"""The student's goals in the browser: a plain page with plain forms (they work without
scripts), each form shown to whoever may use it.

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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import ActionError, Refused, SensitiveText
from accounts.models import CurriculumArea, Subject
from dialogue import doors, queries
from dialogue.actions import goals as actions
from dialogue.models import MAX_DECLINE_REASON, MAX_GOAL_TEXT, MAX_REFLECTION_TEXT, Goal
from frontend.answers import flash_error, forbidden_looks_missing, form_failure
from frontend.requests import send_anyway, viewer

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

    @classmethod
    def of(cls, form: str, goal_id: int | None, values: dict[str, str], error: ActionError) -> FormState:
        failure = form_failure(error)
        return cls(form, goal_id, values, "" if failure.guarded else failure.message, failure.findings)


def subject_field(value: str) -> Subject | None:
    if not value:
        return None
    subject = Subject.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if subject is None:
        raise Refused("unknown_subject", _("Choose a subject from the list."))
    return subject


def area_field(value: str) -> CurriculumArea | None:
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


def date_field(value: str) -> datetime.date | None:
    if not value.strip():
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(
            "bad_date", _("Write the target date as year-month-day, for example 2027-05-31.")
        ) from None


def goals_url(student_id: int, goal_id: int | None = None) -> str:
    url = reverse("goals", args=[student_id])
    return f"{url}#goal-{goal_id}" if goal_id else url


SubjectChoice = tuple[Subject, list[CurriculumArea]]


def subject_choices(access: doors.PageAccess) -> list[SubjectChoice]:
    """The subjects of the student's page (taught now or earlier) with their areas. Two
    queries."""
    subjects = [
        thread.subject
        for thread in queries.threads_of(access.page, access.viewer)
        if thread.subject is not None
    ]
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


def _goals_page(
    request: HttpRequest, access: doors.PageAccess, state: FormState | None = None
) -> HttpResponse:
    student, relation = access.student, access.relation
    subjects = subject_choices(access)
    items = _items(queries.goals_of(student), state, subjects)
    by_status: dict[str, list[GoalItem]] = {status: [] for status in SECTIONS}
    for item in items:
        by_status[item.goal.status].append(item)
    labels = dict(Goal.Status.choices)
    # Who proposed, decided or wrote: a protected guardian is not named to the child's other
    # guardian (no query unless one of them is protected).
    people = [person for item in items for person in (item.goal.created_by, item.goal.decided_by)]
    people += [revision.written_by for item in items for revision in item.goal.revisions.all()]
    return render(
        request,
        "frontend/goals.html",
        {
            "student": student,
            "hidden": policy.names_hidden_from(access.viewer, people),
            "sections": [(status, labels[status], by_status[status]) for status in SECTIONS],
            "goal_count": len(items),
            "can_set": relation.may_set_goals,
            "can_propose": relation.may_propose_goals,
            "can_reflect": relation.may_write_self_assessment,
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
    return _goals_page(request, doors.student_page(viewer(request), student_id, what="goals"))


def _submit(
    request: HttpRequest,
    student_id: int,
    form: str,
    act: Callable[[], Goal],
    done: str,
    goal_id: int | None = None,
) -> HttpResponse:
    """Run the action; on success back to the page at the goal with ``done`` said. A form
    whose text was refused comes back on the page; a refusal about the goal's state is said
    at the top of the page. Someone who may read the page but not do this gets the same 404
    as an outsider (nothing on the goals page offers them the form)."""
    try:
        with forbidden_looks_missing():
            goal = act()
    except (Refused, SensitiveText) as error:
        if isinstance(error, Refused) and error.code not in INPUT_REFUSALS:
            flash_error(request, error)
            return redirect(goals_url(student_id, goal_id))
        access = doors.student_page(viewer(request), student_id, what="goals")
        return _goals_page(request, access, FormState.of(form, goal_id, request.POST.dict(), error))
    messages.success(request, done)
    return redirect(goals_url(student_id, goal.pk))


def _goal_fields(request: HttpRequest) -> dict[str, Any]:
    """A new goal's fields from the form (refused when a choice is not one offered)."""
    post = request.POST
    return {
        "text": post.get("text", ""),
        "subject": subject_field(post.get("subject", "")),
        "area": area_field(post.get("area", "")),
        "target_date": date_field(post.get("target_date", "")),
        "send_anyway": send_anyway(request),
    }


def _replaces(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@require_POST
@login_required
def goal_set_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """A teacher (or the principal) sets a goal, possibly replacing a revised one."""
    replaces = _replaces(request.POST.get("replaces", ""))
    return _submit(
        request,
        student_id,
        "set",
        lambda: actions.set_goal(viewer(request), student_id, replaces_id=replaces, **_goal_fields(request)),
        _("The goal is saved."),
    )


@require_POST
@login_required
def goal_propose_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student or a guardian proposes a goal."""
    return _submit(
        request,
        student_id,
        "propose",
        lambda: actions.propose_goal(viewer(request), student_id, **_goal_fields(request)),
        _("Your proposal is saved. A teacher will accept or decline it."),
    )


@require_POST
@login_required
def goal_accept_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    return _submit(
        request,
        student_id,
        "accept",
        lambda: actions.accept_goal(viewer(request), goal_id, student_id=student_id),
        _("The proposal is accepted; it is now an active goal."),
        goal_id,
    )


@require_POST
@login_required
def goal_decline_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    return _submit(
        request,
        student_id,
        "decline",
        lambda: actions.decline_goal(
            viewer(request),
            goal_id,
            reason=request.POST.get("reason", ""),
            send_anyway=send_anyway(request),
            student_id=student_id,
        ),
        _("The proposal is declined. It stays on the page with your decision."),
        goal_id,
    )


@require_POST
@login_required
def goal_status_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    return _submit(
        request,
        student_id,
        "status",
        lambda: actions.change_goal_status(
            viewer(request), goal_id, status=request.POST.get("status", ""), student_id=student_id
        ),
        _("The goal's status is saved."),
        goal_id,
    )


@require_POST
@login_required
def goal_edit_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    post = request.POST
    return _submit(
        request,
        student_id,
        "edit",
        lambda: actions.edit_goal(
            viewer(request),
            goal_id,
            text=post.get("text", ""),
            area=area_field(post.get("area", "")),
            target_date=date_field(post.get("target_date", "")),
            send_anyway=send_anyway(request),
            student_id=student_id,
        ),
        _("The goal is changed. The earlier version is kept."),
        goal_id,
    )


@require_POST
@login_required
def goal_reflect_view(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    def reflect() -> Goal:
        reflection = actions.reflect_on_goal(
            viewer(request),
            goal_id,
            text=request.POST.get("text", ""),
            send_anyway=send_anyway(request),
            student_id=student_id,
        )
        return reflection.goal

    return _submit(request, student_id, "reflect", reflect, _("Your reflection is saved."), goal_id)
