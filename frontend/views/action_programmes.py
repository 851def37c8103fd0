"""Action programmes in the browser: the student's list, one programme with its versions,
and the forms to draft, give a view, decide, record a follow-up and close. Every form works
without scripts; a refused form is shown again with what was typed (status 400), and JSON
answers come back when the client asks for them (``Accept: application/json``).

Access: readers of the student's page read (404 for everyone else); a reader whose role
does not allow an action gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import Refused, SensitiveText
from accounts.models import Subject, User
from dialogue import queries
from dialogue.actions import action_programmes as actions
from dialogue.models import ActionProgramme, FollowUp, ProgrammeVersion
from writing.guard import findings_payload

BLANK_FOLLOW_UP_ROWS = 2


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


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
        "send_anyway": request.POST.get("send_anyway") == "1",
    }


def _form_rows(plan: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The follow-up rows a form shows: those written plus a few blank ones."""
    rows = [(on, what) for on, what in plan if on or what]
    return rows + [("", "")] * BLANK_FOLLOW_UP_ROWS


def _plan_rows(version: ProgrammeVersion | None) -> list[tuple[str, str]]:
    if version is None:
        return []
    return [(item["on"], item["what"]) for item in version.follow_up_plan]


def _refusal_text(error: Refused | SensitiveText) -> str:
    if isinstance(error, SensitiveText):
        return _(
            "The text may contain information that must not be written here (the page is a public "
            "record). Change it, or save anyway: the principal is then told so that it can be reviewed."
        )
    return error.message


def _json_error(error: Refused | SensitiveText) -> JsonResponse:
    if isinstance(error, SensitiveText):
        return JsonResponse(
            {"guard": {name: findings_payload(found) for name, found in error.by_field.items()}}, status=409
        )
    return JsonResponse({"error": {"code": error.code, "message": error.message}}, status=400)


# --- The list -------------------------------------------------------------------------------


def _list_context(user: User, student: User) -> dict[str, Any]:
    rights = policy.action_programme_rights(policy.relation_to_student(user, student))
    subjects = list(Subject.objects.order_by("position")) if rights.draft else []
    return {
        "student": student,
        "programmes": queries.action_programmes_of(student),
        "can_draft": rights.draft,
        "subjects": subjects,
        "today": timezone.localdate(),
        "posted": {},
        "posted_form": "",
        "follow_up_rows": _form_rows([]),
    }


@require_GET
@login_required
def action_programmes_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    return render(request, "frontend/action_programmes.html", _list_context(user, student))


@require_POST
@login_required
def action_programme_new_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """Draft a new programme (a teacher of the student or the principal)."""
    user = _user(request)
    student = policy.access_student(user, student_id)
    content = _content(request)
    subject = Subject.objects.filter(pk=request.POST.get("subject") or 0).first()
    try:
        programme = actions.draft_programme(user, student, subject=subject, **content)
    except (Refused, SensitiveText) as error:
        if _wants_json(request):
            return _json_error(error)
        context = _list_context(user, student)
        context.update(
            error=_refusal_text(error),
            guarded=isinstance(error, SensitiveText),
            posted=request.POST,
            posted_form="new",
            follow_up_rows=_form_rows(content["follow_ups"]),
        )
        return render(request, "frontend/action_programmes.html", context, status=400)
    url = reverse("action-programme", args=[student.pk, programme.pk])
    if _wants_json(request):
        return JsonResponse({"id": programme.pk, "url": url}, status=201)
    messages.success(request, _("The action programme is drafted. The student and guardians can now see it."))
    return redirect(url)


# --- One programme ----------------------------------------------------------------------------


def _programme_context(user: User, student: User, programme: ActionProgramme) -> dict[str, Any]:
    """Everything the programme page shows. Precondition: ``programme`` from
    ``queries.action_programme`` (its relations prefetched)."""
    rights = policy.action_programme_rights(policy.relation_to_student(user, student))
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
    can_draft = rights.draft and is_open
    return {
        "student": student,
        "programme": programme,
        "versions": list(reversed(versions)),
        "draft": draft,
        "adopted": adopted,
        "follow_ups": follow_ups,
        "outstanding": outstanding if programme.status == ActionProgramme.Status.ADOPTED else [],
        "views": list(programme.views.all()),
        "today": today,
        "can_draft": can_draft,
        "can_comment": rights.comment and is_open,
        "can_decide": rights.decide and is_open and draft is not None,
        "can_follow_up": can_draft and programme.status == ActionProgramme.Status.ADOPTED,
        "can_close": rights.decide and programme.status == ActionProgramme.Status.ADOPTED,
        "works_choices": FollowUp.Works.choices,
        "posted": {},
        "posted_form": "",
        "follow_up_rows": _form_rows(_plan_rows(draft or latest)),
    }


def _programme_or_404(user: User, student_id: int, programme_id: int) -> tuple[User, ActionProgramme]:
    student = policy.access_student(user, student_id)
    programme = queries.action_programme(student, programme_id)
    if programme is None:
        raise Http404
    return student, programme


@require_GET
@login_required
def action_programme_view(request: HttpRequest, student_id: int, programme_id: int) -> HttpResponse:
    user = _user(request)
    student, programme = _programme_or_404(user, student_id, programme_id)
    return render(request, "frontend/action_programme.html", _programme_context(user, student, programme))


def _act(
    request: HttpRequest,
    student_id: int,
    programme_id: int,
    form: str,
    act: Callable[[User, ActionProgramme], object],
    done: str,
    follow_up_rows: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """Run one action on the programme; on refusal show the page again with what was typed
    in the form that was sent."""
    user = _user(request)
    student, programme = _programme_or_404(user, student_id, programme_id)
    url = reverse("action-programme", args=[student.pk, programme.pk])
    try:
        act(user, programme)
    except (Refused, SensitiveText) as error:
        if _wants_json(request):
            return _json_error(error)
        fresh = queries.action_programme(student, programme_id)
        assert fresh is not None
        context = _programme_context(user, student, fresh)
        context.update(
            error=_refusal_text(error),
            guarded=isinstance(error, SensitiveText),
            posted=request.POST,
            posted_form=form,
        )
        if follow_up_rows is not None:
            context["follow_up_rows"] = _form_rows(follow_up_rows)
        return render(request, "frontend/action_programme.html", context, status=400)
    if _wants_json(request):
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
        lambda user, programme: actions.save_draft(user, programme.pk, **content),
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
        lambda user, programme: actions.give_view(
            user,
            programme.pk,
            body=request.POST.get("body", ""),
            send_anyway=request.POST.get("send_anyway") == "1",
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
        lambda user, programme: actions.decide_programme(
            user,
            programme.pk,
            adopt=_decision(request.POST.get("decision", "")),
            note=request.POST.get("note", ""),
            send_anyway=request.POST.get("send_anyway") == "1",
        ),
        _("The decision is recorded."),
    )


@require_POST
@login_required
def action_programme_follow_up_view(
    request: HttpRequest, student_id: int, programme_id: int, follow_up_id: int
) -> HttpResponse:
    def act(user: User, programme: ActionProgramme) -> object:
        if not any(f.pk == follow_up_id for f in programme.follow_ups.all()):
            raise Http404
        return actions.record_follow_up(
            user,
            follow_up_id,
            what_was_done=request.POST.get("what_was_done", ""),
            works=request.POST.get("works", ""),
            outcome=request.POST.get("outcome", ""),
            send_anyway=request.POST.get("send_anyway") == "1",
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
        lambda user, programme: actions.close_programme(
            user,
            programme.pk,
            reason=request.POST.get("reason", ""),
            send_anyway=request.POST.get("send_anyway") == "1",
        ),
        _("The action programme is closed."),
    )
