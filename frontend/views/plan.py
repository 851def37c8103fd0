"""The page's structured view: the student's current development plan at a glance."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import policy
from dialogue import queries


@require_GET
@login_required
def plan_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The current IUP (the agreements of the latest development talk), the goals in force
    and proposed, and the latest published assessment per subject. Three queries."""
    student = policy.access_student(request.user, student_id)
    return render(
        request,
        "frontend/plan.html",
        {
            "student": student,
            "assessments": queries.latest_assessments(student),
            "iup": queries.current_iup(student),
            "goals": queries.current_goals(student),
        },
    )
