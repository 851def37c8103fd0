"""The archive of students who left: the list of each school the viewer keeps it for (the
registrar) or answers for (the principal). Each archived page is opened through the
student's page (``dialogue.doors``), which records the opening."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import archive, policy
from accounts.errors import NotFound
from frontend.requests import viewer


@require_GET
@login_required
def archive_view(request: HttpRequest) -> HttpResponse:
    schools = list(policy.archive_keeper_schools(viewer(request)))
    if not schools:
        raise NotFound
    return render(
        request,
        "frontend/archive.html",
        {"archives": [(school, archive.archived_students(school)) for school in schools]},
    )
