"""One report to the principal in the browser: the report, the principal's decisions (to
investigate or not; the outcome) with their forms, the appeal text of a decision not to
write a programme, and the views of the student and guardians with their form. Forms as in
``frontend.views.support``."""

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

from accounts import policy
from accounts.errors import Refused, SensitiveText
from accounts.models import User
from dialogue import doors
from dialogue.actions import support as actions
from dialogue.models import SUPPORT_APPEAL_DAYS, SupportCase
from dialogue.queries import support as queries
from frontend.answers import json_error
from frontend.requests import send_anyway, viewer, wants_json
from frontend.views.support import failed, number
from writing.rendering import markdown_html

STAFF_ON_PAGE = (policy.TEACHER, policy.PRINCIPAL)
# The case's texts, written in the dialogue's Markdown like every page text.
CASE_TEXTS = (
    "observations",
    "adaptations_tried",
    "not_investigated_reason",
    "outcome_summary",
    "outcome_grounds",
)


def _investigators(access: doors.PageAccess) -> list[User]:
    """Staff who read the student's page, the ones the principal may choose among."""
    roles = policy.roles_on_student_page(access.student)
    staff = [pk for pk, role in roles.items() if role in STAFF_ON_PAGE]
    return list(User.objects.filter(pk__in=staff).order_by("last_name", "first_name", "pk"))


def _context(access: doors.PageAccess, case: SupportCase) -> dict[str, Any]:
    relation = access.relation
    stage = case.stage
    can_decide_investigation = relation.may_decide_support and stage == SupportCase.Stage.REPORTED
    return {
        "student": access.student,
        "case": case,
        "texts": {name: markdown_html(getattr(case, name)) for name in CASE_TEXTS},
        "Stage": SupportCase.Stage,
        "views": list(case.views.all()),
        "adaptations": list(case.adaptations.all()),
        "today": timezone.localdate(),
        "appeal_days": SUPPORT_APPEAL_DAYS,
        "can_decide_investigation": can_decide_investigation,
        "can_record_outcome": relation.may_decide_support and stage == SupportCase.Stage.INVESTIGATING,
        "can_give_view": relation.may_give_support_views,
        "investigators": _investigators(access) if can_decide_investigation else [],
        "posted": {},
        "posted_form": "",
    }


def _opened(
    request: HttpRequest, student_id: int, case_id: int, *, opening: bool = True
) -> tuple[doors.PageAccess, SupportCase]:
    return doors.document(
        viewer(request),
        student_id,
        "support_case",
        lambda student: queries.support_case(student, case_id),
        opening=opening,
    )


@require_GET
@login_required
def support_case_view(request: HttpRequest, student_id: int, case_id: int) -> HttpResponse:
    access, case = _opened(request, student_id, case_id)
    return render(request, "frontend/support_case.html", _context(access, case))


def _act(
    request: HttpRequest, student_id: int, case_id: int, form: str, act: Callable[[User], object], done: str
) -> HttpResponse:
    url = reverse("support-case", args=[student_id, case_id])
    try:
        if not queries.case_belongs_to(case_id, student_id):
            raise doors.not_found()
        act(viewer(request))
    except (Refused, SensitiveText) as error:
        if wants_json(request):
            return json_error(error)
        access, case = _opened(request, student_id, case_id, opening=False)
        context = _context(access, case)
        context.update(failed(error, form), posted=request.POST)
        return render(request, "frontend/support_case.html", context, status=400)
    if wants_json(request):
        return JsonResponse({"ok": True, "url": url})
    messages.success(request, done)
    return redirect(f"{url}#{form}")


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@require_POST
@login_required
def investigation_view(request: HttpRequest, student_id: int, case_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        case_id,
        "investigation",
        lambda user: actions.decide_investigation(
            user,
            case_id,
            investigate=_yes_no(request.POST.get("investigate", "")),
            investigator_id=number(request.POST.get("investigator")),
            investigate_by=request.POST.get("investigate_by", ""),
            reason=request.POST.get("reason", ""),
            send_anyway=send_anyway(request),
        ),
        _("The decision is recorded. The student and guardians are told."),
    )


@require_POST
@login_required
def outcome_view(request: HttpRequest, student_id: int, case_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        case_id,
        "outcome",
        lambda user: actions.record_support_outcome(
            user,
            case_id,
            needs_support=_yes_no(request.POST.get("needs_support", "")),
            summary=request.POST.get("summary", ""),
            grounds=request.POST.get("grounds", ""),
            send_anyway=send_anyway(request),
        ),
        _("The decision is recorded. The student and guardians are told."),
    )


@require_POST
@login_required
def support_view_new_view(request: HttpRequest, student_id: int, case_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        case_id,
        "views",
        lambda user: actions.add_support_view(
            user, case_id, body=request.POST.get("body", ""), send_anyway=send_anyway(request)
        ),
        _("Your view is recorded."),
    )
