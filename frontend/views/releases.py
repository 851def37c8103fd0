"""Requests for public records (utlämnande av allmän handling): the registrar's and the
principal's list of the requests they handle, and the registration of a new one. The review
of a request, its decision and its files are in ``frontend.views.release_review``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.errors import NotFound, Refused
from accounts.models import StaffRole, User
from frontend.answers import add_to_form
from frontend.requests import viewer
from records.models import ReleaseRequest
from records.release import actions, doors, queries
from records.release.documents import KINDS
from records.release.promptness import age_in_working_days, is_late

PER_PAGE = 50


@dataclass
class ListedRequest:
    """A row of the list: the request, its age in working days (until today while open,
    until the decision once decided) and whether it is late (open and older than one
    working day)."""

    request: ReleaseRequest
    age: int
    late: bool


def _listed(request: ReleaseRequest, today: datetime.date) -> ListedRequest:
    if request.status == ReleaseRequest.Status.OPEN:
        return ListedRequest(
            request, age_in_working_days(request.received_at, today), is_late(request.received_at, today)
        )
    until = timezone.localdate(request.decided_at) if request.decided_at else today
    return ListedRequest(request, age_in_working_days(request.received_at, until), False)


@require_GET
@login_required
def releases_view(request: HttpRequest) -> HttpResponse:
    """The requests the viewer handles (registrar or principal), open ones, decided ones or
    all, newest first, with their age and a marker on late ones. Missing for everyone else."""
    user = viewer(request)
    if not queries.handling_schools(user).exists():
        raise NotFound
    shown = request.GET.get("show", "all")
    if shown not in queries.SHOWN:
        shown = "all"
    page = Paginator(queries.listed_requests(doors.handled_requests(user), shown), PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [_listed(release, today) for release in page]
    return render(
        request,
        "frontend/releases.html",
        {"page": page, "rows": rows, "shown": shown, "late_count": sum(row.late for row in rows)},
    )


def _handler_label(role: StaffRole, several_schools: bool) -> str:
    label = f"{role.user.display_name} ({role.get_role_display().lower()})"
    return f"{label}, {role.school.name}" if several_schools else label


class ReleaseRequestForm(forms.Form):
    """The registration of a request. The student is searched for by name (the search is
    posted with the form, so no name ever stands in a URL) and chosen among the matches."""

    search = forms.CharField(
        label=gettext_lazy("Search for the student by name"), max_length=100, required=False, strip=True
    )
    student = forms.TypedChoiceField(
        label=gettext_lazy("Student"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Search for the student and choose one of the matches."),
            "invalid_choice": gettext_lazy("Search for the student and choose one of the matches."),
        },
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("Received"),
        help_text=gettext_lazy("When the request reached the school."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    requester = forms.CharField(
        label=gettext_lazy("Requester (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Anyone may ask anonymously and never has to say why. Ask only if you need to know in "
            "order to judge confidentiality."
        ),
    )
    requester_contact = forms.CharField(
        label=gettext_lazy("Where the copy goes"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "The e-mail address a copy by e-mail goes to, or a postal address, as the requester gave "
            "it. May stay empty when the copy is collected."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Documents asked for"),
        choices=list(KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one kind of document.")},
    )
    period_from = forms.DateField(
        label=gettext_lazy("Made from (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period_to = forms.DateField(
        label=gettext_lazy("Made until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    delivery = forms.ChoiceField(
        label=gettext_lazy("Delivery"),
        choices=ReleaseRequest.Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how the copy is delivered.")},
    )
    handler = forms.TypedChoiceField(label=gettext_lazy("Handled by"), coerce=int)

    def __init__(self, *args: Any, students: list[User], handlers: list[StaffRole], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        student = self.fields["student"]
        assert isinstance(student, forms.TypedChoiceField)
        student.choices = [(person.pk, f"{person.display_name} ({person.username})") for person in students]
        several_schools = len({role.school_id for role in handlers}) > 1
        handler = self.fields["handler"]
        assert isinstance(handler, forms.TypedChoiceField)
        seen: dict[int, str] = {}
        for role in handlers:
            seen.setdefault(role.user_id, _handler_label(role, several_schools))
        handler.choices = list(seen.items())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The period must start on or before the day it ends."))
        return data


def _matches(user: User, search: str) -> list[User]:
    return list(doors.students_for_request(user, search)) if search else []


@require_http_methods(["GET", "POST"])
@login_required
def release_new_view(request: HttpRequest) -> HttpResponse:
    """Register a request. "Search" posts the form back with the students matching the
    name (everything typed stays); "Register" registers it and opens its review."""
    user = viewer(request)
    handlers = queries.handlers(user)
    if not handlers:
        raise NotFound
    searching = request.method == "POST" and request.POST.get("do") == "search"
    search = request.POST.get("search", "").strip()[:100] if request.method == "POST" else ""
    students = _matches(user, search)
    if request.method == "POST" and searching:
        # A search shows the matches without judging the form yet: what was typed comes back
        # as it was, and a single match is chosen already (it may still be changed).
        typed: dict[str, Any] = {name: request.POST.get(name, "") for name in ReleaseRequestForm.base_fields}
        typed["kinds"] = request.POST.getlist("kinds")
        if len(students) == 1:
            typed["student"] = students[0].pk
        form = ReleaseRequestForm(initial=typed, students=students, handlers=handlers)
    elif request.method == "POST":
        form = ReleaseRequestForm(request.POST, students=students, handlers=handlers)
    else:
        initial = {"received_at": timezone.localtime().replace(second=0, microsecond=0), "handler": user.pk}
        form = ReleaseRequestForm(initial=initial, students=students, handlers=handlers)
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.register_request(
                user,
                student_id=data["student"],
                received_at=data["received_at"],
                requester=data["requester"],
                requester_contact=data["requester_contact"],
                kinds=data["kinds"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                delivery=data["delivery"],
                handler_id=data["handler"],
            )
        except Refused as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("The request is registered as %(reference)s.") % {"reference": created.reference}
            )
            return redirect("release", created.pk)
    return render(
        request,
        "frontend/release_new.html",
        {"form": form, "searched": bool(search), "students": students, "searching": searching},
        status=400 if (request.method == "POST" and not searching and form.errors) else 200,
    )
