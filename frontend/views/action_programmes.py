"""Action programmes in the browser: the student's list, one programme with its versions,
and the forms to draft, give a view, decide, record a follow-up and close. Every form works
without scripts; a refused form is shown again with what was typed (status 400), and JSON
answers come back when the client asks for them (``Accept: application/json``).

Access: readers of the student's page read (404 for everyone else, through
``dialogue.doors``); a reader whose role does not allow an action gets 403 (the action's
``Forbidden``, answered by Django).
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
from dialogue import doors, queries
from dialogue.actions import action_programmes as actions
from dialogue.models import ActionProgramme, FollowUp, ProgrammeVersion
from frontend.answers import form_failure, json_error
from frontend.requests import send_anyway, viewer, wants_json

BLANK_FOLLOW_UP_ROWS = 2


def _follow_up_rows(request: HttpRequest) -> list[tuple[str, str]]:
    dates = request.POST.getlist("follow_up_on")
    whats = request.POST.getlist("follow_up_what")
    length = max(len(dates), len(whats))
    dates += [""] * (length - len(dates))
    whats += [""] * (length - len(whats))
    return list(zip(dates, whats, strict=True))


def _content(request: HttpRequest) -> dict[str, Any]:
    return {
        "needs": request.POST.get("needs", ""),
        "measures": request.POST.get("measures", ""),
        "responsible": request.POST.get("responsible", ""),
        "follow_ups": _follow_up_rows(request),
        "send_anyway": send_anyway(request),
    }


def _form_rows(plan: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The follow-up rows a form shows: those written plus a few blank ones."""
    rows = [(on, what) for on, what in plan if on or what]
    return rows + [("", "")] * BLANK_FOLLOW_UP_ROWS


def _plan_rows(version: ProgrammeVersion | None) -> list[tuple[str, str]]:
    if version is None:
        return []
    return [(item["on"], item["what"]) for item in version.follow_up_plan]


# --- The list -------------------------------------------------------------------------------


def _list_context(access: doors.PageAccess) -> dict[str, Any]:
    can_draft = access.relation.may_draft_programme
    subjects = list(Subject.objects.order_by("position")) if can_draft else []
    return {
        "student": access.student,
        "programmes": queries.action_programmes_of(access.student),
        "can_draft": can_draft,
        "subjects": subjects,
        "today": timezone.localdate(),
        "posted": {},
        "posted_form": "",
        "follow_up_rows": _form_rows([]),
    }


@require_GET
@login_required
def action_programmes_view(request: HttpRequest, student_id: int) -> HttpResponse:
    access = doors.student_page(viewer(request), student_id, what="action_programmes")
    return render(request, "frontend/action_programmes.html", _list_context(access))


@require_POST
@login_required
def action_programme_new_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """Draft a new programme (a teacher of the student or the principal)."""
    content = _content(request)
    subject = Subject.objects.filter(pk=request.POST.get("subject") or 0).first()
    try:
        programme = actions.draft_programme(viewer(request), student_id, subject=subject, **content)
    except (Refused, SensitiveText) as error:
        if wants_json(request):
            return json_error(error)
        context = _list_context(doors.student_page(viewer(request), student_id, what="action_programmes"))
        context.update(
            _failed(error, "new"), posted=request.POST, follow_up_rows=_form_rows(content["follow_ups"])
        )
        return render(request, "frontend/action_programmes.html", context, status=400)
    url = reverse("action-programme", args=[student_id, programme.pk])
    if wants_json(request):
        return JsonResponse({"id": programme.pk, "url": url}, status=201)
    messages.success(request, _("The action programme is drafted. The student and guardians can now see it."))
    return redirect(url)


# --- One programme ----------------------------------------------------------------------------


def _programme_context(access: doors.PageAccess, programme: ActionProgramme) -> dict[str, Any]:
    """Everything the programme page shows. Precondition: ``programme`` from
    ``queries.action_programme`` (its relations prefetched)."""
    relation = access.relation
    today = timezone.localdate()
    versions = list(programme.versions.all())
    draft = next((v for v in versions if v.status == ProgrammeVersion.Status.DRAFT), None)
    adopted = next((v for v in reversed(versions) if v.status == ProgrammeVersion.Status.ADOPTED), None)
    latest = versions[-1] if versions else None
    follow_ups = list(programme.follow_ups.all())
    for follow_up in follow_ups:
        follow_up.form_id = f"follow-up-{follow_up.pk}"  # type: ignore[attr-defined]
        follow_up.overdue = (  # type: ignore[attr-defined]
            follow_up.recorded_at is None and follow_up.replaced_by_id is None and follow_up.due_on < today
        )
    outstanding = [f for f in follow_ups if f.recorded_at is None and f.replaced_by_id is None]
    is_open = programme.status != ActionProgramme.Status.CLOSED
    can_draft = relation.may_draft_programme and is_open
    return {
        "student": access.student,
        "programme": programme,
        "versions": list(reversed(versions)),
        "draft": draft,
        "adopted": adopted,
        "follow_ups": follow_ups,
        "outstanding": outstanding if programme.status == ActionProgramme.Status.ADOPTED else [],
        "views": list(programme.views.all()),
        "today": today,
        "can_draft": can_draft,
        "can_comment": relation.may_comment_on_programme and is_open,
        "can_decide": relation.may_decide_programme and is_open and draft is not None,
        "can_follow_up": can_draft and programme.status == ActionProgramme.Status.ADOPTED,
        "can_close": relation.may_decide_programme and programme.status == ActionProgramme.Status.ADOPTED,
        "works_choices": FollowUp.Works.choices,
        "posted": {},
        "posted_form": "",
        "follow_up_rows": _form_rows(_plan_rows(draft or latest)),
    }


def _opened_programme(
    request: HttpRequest, student_id: int, programme_id: int
) -> tuple[doors.PageAccess, ActionProgramme]:
    return doors.document(
        viewer(request),
        student_id,
        "action_programme",
        lambda student: queries.action_programme(student, programme_id),
    )


@require_GET
@login_required
def action_programme_view(request: HttpRequest, student_id: int, programme_id: int) -> HttpResponse:
    access, programme = _opened_programme(request, student_id, programme_id)
    return render(request, "frontend/action_programme.html", _programme_context(access, programme))


def _failed(error: ActionError, form: str) -> dict[str, Any]:
    """What a form that comes back shows (``frontend.answers.form_failure``)."""
    failure = form_failure(error)
    return {"error": failure.message, "guarded": failure.guarded, "posted_form": form}


def _act(
    request: HttpRequest,
    student_id: int,
    programme_id: int,
    form: str,
    act: Callable[[User, int], object],
    done: str,
    follow_up_rows: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """Run one action on the programme (the action opens it and checks the actor's right);
    on refusal show the page again with what was typed in the form that was sent."""
    url = reverse("action-programme", args=[student_id, programme_id])
    try:
        if not queries.programme_belongs_to(programme_id, student_id):
            raise doors.not_found()
        act(viewer(request), programme_id)
    except (Refused, SensitiveText) as error:
        if wants_json(request):
            return json_error(error)
        access, fresh = _opened_programme(request, student_id, programme_id)
        context = _programme_context(access, fresh)
        context.update(_failed(error, form), posted=request.POST)
        if follow_up_rows is not None:
            context["follow_up_rows"] = _form_rows(follow_up_rows)
        return render(request, "frontend/action_programme.html", context, status=400)
    if wants_json(request):
        return JsonResponse({"ok": True, "url": url})
    messages.success(request, done)
    return redirect(f"{url}#{form}")


@require_POST
@login_required
def action_programme_draft_view(request: HttpRequest, student_id: int, programme_id: int) -> HttpResponse:
    content = _content(request)
    return _act(
        request,
        student_id,
        programme_id,
        "draft",
        lambda user, programme_id: actions.save_draft(user, programme_id, **content),
        _("The draft is saved."),
        follow_up_rows=content["follow_ups"],
    )


@require_POST
@login_required
def action_programme_comment_view(request: HttpRequest, student_id: int, programme_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        programme_id,
        "views",
        lambda user, programme_id: actions.give_view(
            user, programme_id, body=request.POST.get("body", ""), send_anyway=send_anyway(request)
        ),
        _("Your view is recorded."),
    )


def _decision(value: str) -> bool | None:
    return {"adopt": True, "decline": False}.get(value)


@require_POST
@login_required
def action_programme_decide_view(request: HttpRequest, student_id: int, programme_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        programme_id,
        "decision",
        lambda user, programme_id: actions.decide_programme(
            user,
            programme_id,
            adopt=_decision(request.POST.get("decision", "")),
            note=request.POST.get("note", ""),
            send_anyway=send_anyway(request),
        ),
        _("The decision is recorded."),
    )


@require_POST
@login_required
def action_programme_follow_up_view(
    request: HttpRequest, student_id: int, programme_id: int, follow_up_id: int
) -> HttpResponse:
    def act(user: User, programme_id: int) -> object:
        return actions.record_follow_up(
            user,
            follow_up_id,
            what_was_done=request.POST.get("what_was_done", ""),
            works=request.POST.get("works", ""),
            outcome=request.POST.get("outcome", ""),
            send_anyway=send_anyway(request),
            programme_id=programme_id,
        )

    return _act(
        request, student_id, programme_id, f"follow-up-{follow_up_id}", act, _("The follow-up is recorded.")
    )


@require_POST
@login_required
def action_programme_close_view(request: HttpRequest, student_id: int, programme_id: int) -> HttpResponse:
    return _act(
        request,
        student_id,
        programme_id,
        "close",
        lambda user, programme_id: actions.close_programme(
            user, programme_id, reason=request.POST.get("reason", ""), send_anyway=send_anyway(request)
        ),
        _("The action programme is closed."),
    )
