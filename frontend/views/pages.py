"""The start page and the pages reachable from it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import policy, queries
from accounts.models import User
from dialogue import queries as dialogue_queries
from writing.queries import flagged_texts


@login_required
def start_view(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    start = queries.start_page(request.user)
    students = [child.pk for child in start.children] + ([request.user.pk] if start.own_enrolments else [])
    return render(
        request,
        "frontend/start.html",
        {"start": start, "unread": dialogue_queries.unread_by_student(request.user, students)},
    )


@login_required
def student_view(request: HttpRequest, student_id: int) -> HttpResponse:
    student = policy.access_student(request.user, student_id)
    return render(
        request,
        "frontend/student.html",
        {"student": student, "audience": queries.student_page_audience(student)},
    )


@login_required
def class_view(request: HttpRequest, class_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    school_class = policy.access_class_roster(request.user, class_id)
    roster = queries.class_roster(school_class)
    unread = dialogue_queries.unread_by_student(request.user, [student.pk for student in roster.students])
    assessed = list(policy.assessed_subjects(request.user, school_class))
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
