"""The student's self-assessments in the browser: a plain page with one plain form (it works
without scripts), shown to the student alone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import Refused, SensitiveText
from dialogue import doors, queries
from dialogue.actions.self_assessments import ASSESSABLE, write_self_assessment
from dialogue.models import MAX_SELF_ASSESSMENT_TEXT, Goal, SelfAssessment
from frontend.answers import forbidden_looks_missing
from frontend.requests import send_anyway, viewer
from frontend.views.goals import FormState, area_field, subject_choices, subject_field


def _goal_label(goal: Goal) -> str:
    text = Truncator(goal.text).chars(80)
    return f"{goal.subject.name}: {text}" if goal.subject else text


def _about_choices(access: doors.PageAccess) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a student can rate themself against, for the form's one select: their goals,
    then each subject as a whole and its areas."""
    goals = [goal for goal in queries.current_goals(access.student) if goal.status in ASSESSABLE]
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if goals:
        groups.append((_("My goals"), [(f"goal:{goal.pk}", _goal_label(goal)) for goal in goals]))
    for subject, areas in subject_choices(access):
        options = [(f"subject:{subject.pk}", _("%(subject)s as a whole") % {"subject": subject.name})]
        groups.append((subject.name, options + [(f"area:{area.pk}", area.name) for area in areas]))
    return groups


def _self_assessments_page(
    request: HttpRequest, access: doors.PageAccess, state: FormState | None = None
) -> HttpResponse:
    can_write = access.relation.may_write_self_assessment
    return render(
        request,
        "frontend/self_assessments.html",
        {
            "student": access.student,
            "assessments": queries.self_assessments_of(access.student),
            "can_write": can_write,
            "about_choices": _about_choices(access) if can_write else [],
            "levels": SelfAssessment.Level.choices,
            "state": state,
            "limit": MAX_SELF_ASSESSMENT_TEXT,
            "current": "self-assessments",
        },
    )


@require_GET
@login_required
def self_assessments_view(request: HttpRequest, student_id: int) -> HttpResponse:
    access = doors.student_page(viewer(request), student_id, what="self_assessments")
    return _self_assessments_page(request, access)


def _about(value: str) -> dict[str, Any]:
    """The one select of the form says what is assessed: "goal:<id>", "subject:<id>" or
    "area:<id>" (an area names its subject)."""
    kind, _sep, pk = value.partition(":")
    if kind == "goal" and pk.isdigit():
        return {"goal_id": int(pk)}
    if kind == "subject":
        return {"subject": subject_field(pk)}
    if kind == "area":
        area = area_field(pk)
        return {"subject": area.subject if area else None, "area": area}
    return {}


@require_POST
@login_required
def self_assessment_new_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """Only the student writes; everyone else who reads the page gets the outsiders' 404."""
    post = request.POST
    try:
        with forbidden_looks_missing():
            assessment = write_self_assessment(
                viewer(request),
                student_id,
                level=post.get("level", ""),
                text=post.get("text", ""),
                send_anyway=send_anyway(request),
                **_about(post.get("about", "")),
            )
    except (Refused, SensitiveText) as error:
        access = doors.student_page(viewer(request), student_id, what="self_assessments")
        return _self_assessments_page(request, access, FormState.of("new", None, post.dict(), error))
    messages.success(request, _("Your self-assessment is saved."))
    url = reverse("self-assessments", args=[student_id])
    return redirect(f"{url}#self-assessment-{assessment.pk}")
