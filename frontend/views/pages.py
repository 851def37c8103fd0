"""The start page and the pages reachable from it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import policy, queries
from dialogue import queries as dialogue_queries
from frontend.requests import viewer
from writing.queries import flagged_texts


@login_required
def start_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    start = queries.start_page(user)
    students = [child.pk for child in start.children] + ([user.pk] if start.own_enrolments else [])
    return render(
        request,
        "frontend/start.html",
        {"start": start, "unread": dialogue_queries.unread_by_student(user, students)},
    )


@login_required
def class_view(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policy.access_class_roster(user, class_id)
    roster = queries.class_roster(school_class)
    unread = dialogue_queries.unread_by_student(user, [student.pk for student in roster.students])
    assessed = list(policy.assessed_subjects(user, school_class))
    return render(request, "frontend/class.html", {"roster": roster, "unread": unread, "assessed": assessed})


@login_required
def school_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = policy.access_led_school(request.user, school_id)
    return render(
        request,
        "frontend/school.html",
        {
            "overview": queries.school_overview(school),
            "flagged_count": flagged_texts(school.pk).count(),
        },
    )
