"""Personal data exports in the browser: "My data" (a person's own copy, a student's page,
a guardian's children), the registrar's exports for requests by post, each export's status
(for the page's script) and its download. Producing an export needs a recent strong login
(``frontend.stepup``): asking for one, and the registrar's page where she asks for them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import civic, policy
from accounts.errors import NotFound, Refused
from frontend.answers import add_to_form, flash_error
from frontend.requests import viewer
from frontend.stepup import strong_login_required
from records.exports import actions, queries
from records.models import DataExport
from writing.uploads import private_storage


def _when(value: Any) -> str:
    return date_format(localtime(value), "DATETIME_FORMAT") if value else ""


def _status_text(export: DataExport) -> str:
    if actions.is_expired(export):
        return _("Expired")
    if export.status == DataExport.Status.BUILDING:
        return _("Being built: %(percent)s %%") % {"percent": export.progress}
    return str(export.get_status_display())


def _row(export: DataExport) -> dict[str, Any]:
    ready = export.status == DataExport.Status.READY and not actions.is_expired(export)
    return {
        "export": export,
        "about": export.subject.display_name,
        "in_progress": export.status in DataExport.IN_PROGRESS,
        "ready": ready,
        "expired": actions.is_expired(export),
        "failed": export.status == DataExport.Status.FAILED,
        "status": _status_text(export),
        "status_url": reverse("export-status", args=[export.pk]),
        "download_url": reverse("export-download", args=[export.pk]) if ready else "",
        "expires": _when(export.expires_at),
    }


@require_GET
@login_required
def my_data_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    rows = [_row(export) for export in queries.exports_asked_by(user)]
    return render(
        request,
        "frontend/my_data.html",
        {
            "rows": rows,
            "building": any(row["in_progress"] for row in rows),
            "is_student": queries.is_student(user),
            "children": list(queries.children_of(user)),
            "is_registrar": queries.is_registrar(user),
        },
    )


@require_POST
@login_required
@strong_login_required(back=lambda request: reverse("my-data"))
def export_request_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    scope = request.POST.get("scope", "")
    raw_subject = request.POST.get("subject", "")
    subject_id = int(raw_subject) if raw_subject.isdigit() else user.pk
    try:
        export = actions.request_export(user, scope=scope, subject_id=subject_id)
    except Refused as error:
        flash_error(request, error)
        return redirect("my-data")
    messages.success(request, _("Your copy is being made. This page shows when it is ready."))
    return redirect(reverse("my-data") + f"#export-{export.pk}")


@require_GET
@login_required
def export_status_view(request: HttpRequest, export_id: int) -> JsonResponse:
    export = actions.own_export(viewer(request), export_id)
    row = _row(export)
    return JsonResponse(
        {
            "status": export.status,
            "progress": export.progress,
            "text": row["status"],
            "in_progress": row["in_progress"],
            "download_url": row["download_url"],
        }
    )


@require_GET
@login_required
def export_download_view(request: HttpRequest, export_id: int) -> HttpResponse | FileResponse:
    try:
        export = actions.open_export_download(viewer(request), export_id)
    except actions.Expired:
        return render(request, "frontend/export_expired.html", status=410)
    try:
        stored = private_storage().open(export.file, "rb")
    except FileNotFoundError:
        raise NotFound from None
    day = localtime(export.ready_at).date().isoformat() if export.ready_at else ""
    response = FileResponse(
        stored,
        content_type="application/zip",
        as_attachment=True,
        filename=f"elevdialog-{day}-{export.pk}.zip",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RegistrarExportForm(forms.Form):
    student = forms.TypedChoiceField(label=gettext_lazy("Student"), coerce=int)
    reference = forms.CharField(
        label=gettext_lazy("Reference of the request"),
        max_length=actions.REFERENCE_MAX,
        help_text=gettext_lazy("The registration number of the letter or e-mail that asked for the copy."),
    )

    def __init__(
        self, *args: Any, students: list[Any], civic_numbers: set[int] | None = None, **kwargs: Any
    ) -> None:
        """``civic_numbers``: the students whose civic number the registrar may see (the
        policy's answer): a letter names the person by it, so the choice shows it."""
        super().__init__(*args, **kwargs)
        shown = civic_numbers or set()

        def label(student: Any) -> str:
            if student.pk in shown and student.civic_number:
                return f"{student.display_name} ({civic.formatted(student.civic_number)}, {student.username})"
            return f"{student.display_name} ({student.username})"

        choices = [(student.pk, label(student)) for student in students]
        field = self.fields["student"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", ""), *choices]


def _is_registrar(request: HttpRequest) -> None:
    if not queries.is_registrar(viewer(request)):
        raise NotFound


@require_http_methods(["GET", "POST"])
@login_required
@strong_login_required(may_see=_is_registrar, back=lambda request: reverse("registrar-exports"))
def registrar_exports_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    if not queries.is_registrar(user):
        raise NotFound
    students = list(queries.registrar_students(user))
    shown = policy.civic_numbers_visible_to(user, [student.pk for student in students])
    form = RegistrarExportForm(request.POST or None, students=students, civic_numbers=shown)
    if request.method == "POST" and form.is_valid():
        try:
            export = actions.request_export(
                user,
                scope=DataExport.Scope.STUDENT,
                subject_id=form.cleaned_data["student"],
                reference=form.cleaned_data["reference"],
            )
        except Refused as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The copy is being made. This page shows when it is ready."))
            return redirect(reverse("registrar-exports") + f"#export-{export.pk}")
    rows = [_row(export) for export in queries.exports_asked_by(user)]
    return render(
        request,
        "frontend/registrar_exports.html",
        {"form": form, "rows": rows, "building": any(row["in_progress"] for row in rows)},
        status=400 if form.errors else 200,
    )
