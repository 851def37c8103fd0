"""The student's self-assessments in the browser: a plain page with one plain form in two
steps (it works without scripts), shown to the student alone. First the student picks a
subject (or their goals), then the page shows that subject's areas to rate: a short list for
a ten-year-old instead of every area of every subject at once."""

from __future__ import annotations

from dataclasses import dataclass
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


GOALS = "goals"


@dataclass
class Topic:
    """A first-step choice: "goals" or a subject's id, with what the second step offers."""

    key: str
    label: str
    # (value of the form's "about", label), e.g. ("area:12", "Geometri").
    options: list[tuple[str, str]]


def _topics(access: doors.PageAccess) -> list[Topic]:
    """What a student can rate themself against, grouped for the two steps: their goals,
    then each subject (as a whole, or one of its areas)."""
    goals = [goal for goal in queries.current_goals(access.student) if goal.status in ASSESSABLE]
    topics = []
    if goals:
        topics.append(Topic(GOALS, _("My goals"), [(f"goal:{goal.pk}", _goal_label(goal)) for goal in goals]))
    for subject, areas in subject_choices(access):
        whole = (f"subject:{subject.pk}", _("%(subject)s as a whole") % {"subject": subject.name})
        parts = [(f"area:{area.pk}", area.name) for area in areas]
        topics.append(Topic(str(subject.pk), subject.name, [whole, *parts]))
    return topics


def _topic_of(about: str, topics: list[Topic]) -> str:
    """The first step that offers a value of "about" (a form that came back)."""
    return next((topic.key for topic in topics if about in dict(topic.options)), "")


def _self_assessments_page(
    request: HttpRequest, access: doors.PageAccess, state: FormState | None = None
) -> HttpResponse:
    can_write = access.relation.may_write_self_assessment
    topics = _topics(access) if can_write else []
    wanted = state.values.get("topic", "") if state else request.GET.get("topic", "")
    if state and not any(topic.key == wanted for topic in topics):
        wanted = _topic_of(state.values.get("about", ""), topics)
    topic = next((topic for topic in topics if topic.key == wanted), None)
    about = state.values.get("about", "") if state else ""
    if topic and not about and topic.key != GOALS:
        about = topic.options[0][0]  # the subject as a whole, unless the student picks an area
    return render(
        request,
        "frontend/self_assessments.html",
        {
            "student": access.student,
            "assessments": queries.self_assessments_of(access.student),
            "can_write": can_write,
            "topics": topics,
            "topic": topic,
            "about": about,
            "unknown_topic": bool(wanted) and topic is None,
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
    """The form's "about" says what is assessed: "goal:<id>", "subject:<id>" or
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
