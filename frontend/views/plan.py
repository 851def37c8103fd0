"""The page's structured view: the student's current development plan at a glance."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dialogue import doors, queries
from frontend.requests import viewer


@require_GET
@login_required
def plan_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The current IUP (the agreements of the latest development talk), the goals in force
    and proposed, and the latest published assessment per subject. Three queries after the door's."""
    student = doors.student_page(viewer(request), student_id, what="plan").student
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
