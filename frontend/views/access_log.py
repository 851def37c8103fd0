"""The access log's two pages: the family's "who has opened this page" and the principal's
review of openings (``records.queries``), with the principal's marks (``records.actions``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import NotFound, Refused
from dialogue import doors
from frontend.answers import flash_error
from frontend.requests import redirect_to_next, viewer
from records import queries
from records.actions import review
from records.labels import what_label

PER_PAGE = 50
DEFAULT_DAYS = 30


@require_GET
@login_required
def student_openings_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """Staff's openings of the student's records, for the student and the guardians only
    (staff get the outsiders' 404). Itself an opening. One query for the list, one for the
    count of pages, after the door's."""
    access = doors.student_page(
        viewer(request), student_id, what="openings", only_if=lambda relation: relation.may_see_openings
    )
    page = Paginator(queries.staff_openings(access.student.pk), PER_PAGE).get_page(request.GET.get("page"))
    for opening in page:
        opening.what_label = what_label(opening.what)  # type: ignore[attr-defined]
    return render(request, "frontend/student_openings.html", {"student": access.student, "page": page})


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The period must start on or before the day it ends."))
        return data


def _period(request: HttpRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    today = timezone.localdate()
    default = {"since": today - datetime.timedelta(days=DEFAULT_DAYS), "until": today}
    if "since" not in request.GET and "until" not in request.GET:
        return PeriodForm(initial=default), default["since"], default["until"]
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    return form, default["since"], default["until"]


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@require_GET
@login_required
def access_review_view(request: HttpRequest, school_id: int) -> HttpResponse:
    """Openings of the school's students' records by staff who are not their teachers or
    mentor today, and unusual volumes, in a period (the last 30 days unless chosen), each
    with its mark. A refused period says why and shows the default one."""
    school = policy.access_led_school(viewer(request), school_id)
    form, since, until = _period(request)
    start, end = _start_of(since), _start_of(until + datetime.timedelta(days=1))
    threshold = settings.ACCESS_REVIEW_DAILY_STUDENTS
    page = Paginator(queries.openings_to_review(school, start, end), PER_PAGE).get_page(
        request.GET.get("page")
    )
    openings = list(page)
    volumes = queries.unusual_volumes(school, start, end, threshold)
    queries.marks_for(school, openings, volumes)
    for opening in openings:
        opening.what_label = what_label(opening.what)  # type: ignore[attr-defined]
    period_query = f"since={since.isoformat()}&until={until.isoformat()}"
    return render(
        request,
        "frontend/access_review.html",
        {
            "school": school,
            "form": form,
            "page": page,
            "openings": openings,
            "volumes": volumes,
            "threshold": threshold,
            "since": since,
            "until": until,
            "period_query": period_query,
            "here": request.get_full_path(),
        },
    )


def _back(request: HttpRequest, school_id: int) -> HttpResponse:
    return redirect_to_next(request, reverse("access-review", args=[school_id]))


@require_POST
@login_required
def opening_checked_view(request: HttpRequest, school_id: int, opening_id: int) -> HttpResponse:
    school = policy.access_led_school(viewer(request), school_id)
    try:
        review.mark_opening_checked(viewer(request), school, opening_id, note=request.POST.get("note", ""))
    except Refused as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Marked as checked."))
    return _back(request, school.pk)


@require_POST
@login_required
def volume_checked_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = policy.access_led_school(viewer(request), school_id)
    viewer_id = request.POST.get("viewer", "")
    try:
        day = datetime.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        raise NotFound from None
    if not viewer_id.isdigit() or len(viewer_id) > 12:
        raise NotFound
    try:
        review.mark_volume_checked(
            viewer(request), school, int(viewer_id), day, note=request.POST.get("note", "")
        )
    except Refused as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Marked as checked."))
    return _back(request, school.pk)
