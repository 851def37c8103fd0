"""Special support in the browser, the student's part: the extra adaptations per subject with
their forms, the reports to the principal, and the report form (prefilled with the
student's current adaptations, and with a subject and an assessment when the notification
of a "not yet acceptable" level led here). Every form works without scripts; a refused form
comes back with what was typed (status 400); JSON answers when asked for.

Access: readers of the student's page read (404 for everyone else, through
``dialogue.doors``); a reader whose role does not allow an action gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import ActionError, Refused, SensitiveText
from accounts.models import Subject, User
from dialogue import doors
from dialogue.actions import support as actions
from dialogue.models import Assessment
from dialogue.queries import support as queries
from frontend.answers import form_failure, json_error
from frontend.requests import send_anyway, viewer, wants_json


def failed(error: ActionError, form: str) -> dict[str, Any]:
    """What a form that comes back shows (``frontend.answers.form_failure``)."""
    failure = form_failure(error)
    return {"error": failure.message, "guarded": failure.guarded, "posted_form": form}


def number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _by_subject(adaptations: list[Any]) -> list[tuple[Subject, list[Any]]]:
    groups: dict[int, tuple[Subject, list[Any]]] = {}
    for adaptation in adaptations:
        groups.setdefault(adaptation.subject_id, (adaptation.subject, []))[1].append(adaptation)
    return list(groups.values())


def _context(access: doors.PageAccess, request: HttpRequest) -> dict[str, Any]:
    relation = access.relation
    student = access.student
    adaptations = queries.adaptations_of(student)
    recordable = [a for a in adaptations if relation.may_record_adaptation(a.subject_id)]
    subjects: list[Subject] = []
    if not relation.is_archived and (relation.is_mentor or relation.taught_subject_ids):
        subjects = list(Subject.objects.order_by("position"))
        if not relation.is_mentor:
            subjects = [s for s in subjects if s.pk in relation.taught_subject_ids]
    prefill_assessment = None
    prefill_subject = number(request.GET.get("subject"))
    if relation.may_report_support and request.GET.get("assessment"):
        prefill_assessment = (
            Assessment.objects.filter(
                pk=number(request.GET.get("assessment")) or 0,
                student=student,
                status=Assessment.Status.PUBLISHED,
            )
            .select_related("subject")
            .first()
        )
    for adaptation in adaptations:
        adaptation.form_id = f"follow-up-{adaptation.pk}"  # type: ignore[attr-defined]
        adaptation.may_follow_up = adaptation in recordable and adaptation.ended_on is None  # type: ignore[attr-defined]
    return {
        "student": student,
        "groups": _by_subject(adaptations),
        "current": [a for a in adaptations if a.ended_on is None],
        "cases": queries.cases_of(student),
        "subjects": subjects,
        "can_record": bool(subjects),
        "can_report": relation.may_report_support,
        "prefill_subject": prefill_subject,
        "prefill_assessment": prefill_assessment,
        "today": timezone.localdate(),
        "posted": {},
        "posted_form": "",
    }


@require_GET
@login_required
def support_view(request: HttpRequest, student_id: int) -> HttpResponse:
    access = doors.student_page(viewer(request), student_id, what="support")
    return render(request, "frontend/support.html", _context(access, request))


def _act(
    request: HttpRequest,
    student_id: int,
    form: str,
    act: Callable[[User], Any],
    done: str,
    url: Callable[[Any], str],
) -> HttpResponse:
    """Run one action; on refusal show the page again with what was typed in the form."""
    try:
        made = act(viewer(request))
    except (Refused, SensitiveText) as error:
        if wants_json(request):
            return json_error(error)
        access = doors.student_page(viewer(request), student_id, what="support", opening=False)
        context = _context(access, request)
        context.update(failed(error, form), posted=request.POST)
        return render(request, "frontend/support.html", context, status=400)
    target = url(made)
    if wants_json(request):
        return JsonResponse({"ok": True, "url": target})
    messages.success(request, done)
    return redirect(target)


@require_POST
@login_required
def adaptation_new_view(request: HttpRequest, student_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        "adaptation",
        lambda user: actions.record_adaptation(
            user,
            student_id,
            number(request.POST.get("subject")) or 0,
            description=request.POST.get("description", ""),
            starts_on=request.POST.get("starts_on", ""),
            follow_up_on=request.POST.get("follow_up_on", ""),
            send_anyway=send_anyway(request),
        ),
        _("The extra adaptation is recorded. The student and guardians can see it."),
        lambda made: reverse("support", args=[student_id]) + f"#adaptation-{made.pk}",
    )


@require_POST
@login_required
def adaptation_follow_up_view(request: HttpRequest, student_id: int, adaptation_id: int) -> HttpResponse:
    continues = request.POST.get("continues", "")
    return _act(
        request,
        student_id,
        f"follow-up-{adaptation_id}",
        lambda user: actions.follow_up_adaptation(
            user,
            adaptation_id,
            result=request.POST.get("result", ""),
            continues=continues != "no",
            next_follow_up_on=request.POST.get("next_follow_up_on", ""),
            send_anyway=send_anyway(request),
            student_id=student_id,
        ),
        _("The follow-up is recorded."),
        lambda made: reverse("support", args=[student_id]) + f"#adaptation-{adaptation_id}",
    )


@require_POST
@login_required
def report_view(request: HttpRequest, student_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        "report",
        lambda user: actions.report_support_need(
            user,
            student_id,
            observations=request.POST.get("observations", ""),
            adaptations_tried=request.POST.get("adaptations_tried", ""),
            adaptation_ids=[n for n in map(number, request.POST.getlist("adaptations")) if n],
            subject_id=number(request.POST.get("subject")),
            assessment_id=number(request.POST.get("assessment")),
            send_anyway=send_anyway(request),
        ),
        _("The report is sent to the principal. The student and guardians are told."),
        lambda made: reverse("support-case", args=[student_id, made.pk]),
    )
