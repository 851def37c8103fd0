"""The start page and the pages reachable from it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import policy, queries
from dialogue import queries as dialogue_queries
from frontend.requests import viewer
from frontend.start_feed import start_feed
from writing.queries import flagged_texts


@login_required
def start_view(request: HttpRequest) -> HttpResponse:
    """What is new for the person since they last looked, per child, class and school
    (``frontend.start_feed``)."""
    feed = start_feed(viewer(request))
    return render(request, "frontend/start.html", {"feed": feed, "start": feed.start})


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
