"""The archive of students who left: the list of each school the viewer keeps it for (the
registrar) or answers for (the principal). Each archived page is opened through the
student's page (``dialogue.doors``), which records the opening. Both need a recent strong
login (``frontend.stepup``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import archive, civic, policy
from accounts.errors import NotFound
from frontend.requests import viewer
from frontend.stepup import strong_login_required


def _keeps_an_archive(request: HttpRequest) -> None:
    if not policy.archive_keeper_schools(viewer(request)).exists():
        raise NotFound


@require_GET
@login_required
@strong_login_required(may_see=_keeps_an_archive)
def archive_view(request: HttpRequest) -> HttpResponse:
    schools = list(policy.archive_keeper_schools(viewer(request)))
    if not schools:
        raise NotFound
    archives = [(school, archive.archived_students(school)) for school in schools]
    students = [note.student for _school, notes in archives for note in notes]
    # The registrar identifies a student who left by the civic number (a request by post
    # names the person so); the principal, who also reads the list, does not see it.
    shown = policy.civic_numbers_visible_to(viewer(request), [student.pk for student in students])
    civic_numbers = {
        student.pk: civic.formatted(student.civic_number)
        for student in students
        if student.pk in shown and student.civic_number
    }
    return render(
        request,
        "frontend/archive.html",
        {"archives": archives, "civic_numbers": civic_numbers, "show_civic_numbers": bool(shown)},
    )
