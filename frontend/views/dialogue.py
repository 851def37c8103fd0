"""The student's page with its live dialogue, and the HTTP parts of it (history, files)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts import queries as account_queries
from accounts.errors import Refused
from accounts.models import User
from dialogue import queries
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.pages import ensure_page
from dialogue.models import MAX_MESSAGE_LENGTH, Attachment, StudentPage
from dialogue.payloads import attachment_payload, message_payload
from frontend.strings import dialogue_strings
from frontend.views.files import private_file_response
from writing.uploads import DEFAULT_MAX_BYTES

# One small script per kind of card; each registers its drawing function.
CARD_SCRIPTS = [
    "frontend/cards/assessment.js",
    "frontend/cards/talk.js",
    "frontend/cards/action_programme.js",
    "frontend/cards/goal.js",
    "frontend/cards/self_assessment.js",
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _page(request: HttpRequest, page_id: int) -> StudentPage:
    """The page if the user may read it; the same 404 for missing and forbidden."""
    page = StudentPage.objects.select_related("student").filter(pk=page_id).first()
    if page is None or not policy.can_read_student_page(request.user, page.student):
        raise Http404
    return page


def _role_labels(audience: account_queries.Audience) -> dict[str, str]:
    labels: dict[str, str] = {str(audience.student.pk): _("student")}
    for guardian in audience.guardians:
        labels[str(guardian.pk)] = _("guardian")
    for teacher, subjects in audience.teachers:
        labels[str(teacher.pk)] = ", ".join(subject.name for subject in subjects)
    for mentor in audience.mentors:
        labels[str(mentor.pk)] = _("mentor")
    for principal in audience.principals:
        labels[str(principal.pk)] = _("principal")
    return labels


@login_required
def student_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user = _user(request)
    student = policy.access_student(user, student_id)
    page = ensure_page(user, student)
    threads = queries.threads_of(page)
    wanted = request.GET.get("thread", "")
    thread = next((t for t in threads if str(t.pk) == wanted), threads[0])
    messages = queries.thread_messages(thread)
    audience = account_queries.student_page_audience(student)
    unread = queries.unread_counts(user, page)
    data: dict[str, Any] = {
        "page": page.pk,
        "thread": thread.pk,
        "head": page.last_seq,
        "me": {"id": user.pk, "name": user.display_name},
        "messages": [message_payload(m, list(m.attachments.all())) for m in messages],
        "more": len(messages) == queries.PAGE_SIZE,
        "firstUnread": queries.first_unread_seq(user, thread),
        "unread": {str(k): v for k, v in unread.items()},
        "roles": _role_labels(audience),
        "heartbeatMs": settings.WEBSOCKET_HEARTBEAT_SECONDS * 1000,
        "maxLength": MAX_MESSAGE_LENGTH,
        "maxUploadBytes": DEFAULT_MAX_BYTES,
        "csrf": get_token(request),
        "urls": {
            "socket": "/ws/",
            "history": reverse("thread-history", args=[page.pk, thread.pk]),
            "upload": reverse("attachment-upload", args=[page.pk]),
            "revisions": reverse("message-revisions", args=[page.pk, 0]).replace("/0/", "/{id}/"),
        },
        "strings": dialogue_strings(),
    }
    return render(
        request,
        "frontend/student.html",
        {
            "student": student,
            "audience": audience,
            "page": page,
            "threads": threads,
            "thread": thread,
            "unread": unread,
            "dialogue": data,
            "can_write": policy.can_write_in_dialogue(user, student),
            "card_scripts": CARD_SCRIPTS,
        },
    )


@require_GET
@login_required
def thread_history_view(request: HttpRequest, page_id: int, thread_id: int) -> JsonResponse:
    """Earlier messages of a thread, before the given event number, oldest first."""
    page = _page(request, page_id)
    thread = page.threads.filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        return JsonResponse(
            {"error": {"code": "malformed", "message": _("The request was not understood.")}}, status=400
        )
    messages = queries.thread_messages(thread, before_seq=before)
    return JsonResponse(
        {
            "messages": [message_payload(m, list(m.attachments.all())) for m in messages],
            "more": len(messages) == queries.PAGE_SIZE,
        }
    )


@require_GET
@login_required
def message_revisions_view(request: HttpRequest, page_id: int, message_id: int) -> JsonResponse:
    """Earlier versions of an edited message, oldest first: the page is a public record,
    so its readers may see what a message said before it was changed. Retracted messages
    show nothing."""
    page = _page(request, page_id)
    message = page.messages.filter(pk=message_id, retracted_at__isnull=True).first()
    if message is None:
        raise Http404
    return JsonResponse(
        {
            "revisions": [
                {"html": revision.body_html, "written_at": revision.written_at.isoformat()}
                for revision in message.revisions.order_by("replaced_at")
            ]
        }
    )


@require_POST
@login_required
def attachment_upload_view(request: HttpRequest, page_id: int) -> JsonResponse:
    page = _page(request, page_id)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse(
            {"error": {"code": "empty", "message": _("Choose a file to attach.")}}, status=400
        )
    if upload.size is not None and upload.size > DEFAULT_MAX_BYTES:
        return JsonResponse(
            {"error": {"code": "too_large", "message": _("The file is larger than 10 MB.")}}, status=400
        )
    try:
        attachment = upload_attachment(_user(request), page, name=upload.name or "", data=upload.read())
    except Refused as refusal:
        return JsonResponse({"error": {"code": refusal.code, "message": refusal.message}}, status=400)
    except PermissionDenied:
        raise Http404 from None
    return JsonResponse({"attachment": attachment_payload(attachment)}, status=201)


@require_GET
@login_required
def attachment_view(request: HttpRequest, page_id: int, attachment_id: int) -> FileResponse:
    """Serve a file after the access check. Unsent files only to their uploader; files of
    retracted messages to nobody on the page (they stay on record)."""
    page = _page(request, page_id)
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id, page=page).first()
    if attachment is None:
        raise Http404
    if attachment.message is None:
        if attachment.uploaded_by_id != request.user.pk:
            raise Http404
    elif attachment.message.retracted_at is not None:
        raise Http404
    return private_file_response(
        attachment.file,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != Attachment.Kind.IMAGE,
        filename=attachment.display_name,
    )
