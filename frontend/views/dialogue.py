"""The student's page with its live dialogue, and the HTTP parts of it (history, files)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts import queries as account_queries
from accounts.errors import ActionError, Refused, SensitiveText
from accounts.models import User
from dialogue import doors, queries
from dialogue.actions.attachments import upload_attachment
from dialogue.models import MAX_MESSAGE_LENGTH, Attachment, Thread
from dialogue.payloads import attachment_payload, message_payload
from dialogue.queries.receipts import own_receipts
from frontend.answers import json_error
from frontend.requests import viewer
from frontend.strings import dialogue_strings
from frontend.views.files import private_file_response
from writing.uploads import DEFAULT_MAX_BYTES


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
    for registrar in audience.registrars:
        labels[str(registrar.pk)] = _("registrar")
    return labels


def may_start_thread(relation: policy.StudentRelation) -> bool:
    """Whether the page offers "New conversation" (a private thread of either kind)."""
    return relation.may_write and any(
        policy.may_start_private_thread(relation, kind, relation.viewer_id)
        for kind in (policy.ADULTS, policy.ONE_GUARDIAN)
    )


def thread_readers(
    thread: Thread, audience: account_queries.Audience, hidden: policy.HiddenNames | None = None
) -> str:
    """Who reads a private thread, as the page says it ("Visible to Karin Andersson and the
    school (not Elsa or Johan)"); empty for a thread everyone on the page reads. ``hidden``:
    the people on the page whose name the viewer may not see (``policy.names_hidden_from``),
    named by the neutral label."""
    if not thread.is_private:
        return ""
    hidden = hidden or {}

    def first(person: User) -> str:
        return str(hidden[person.pk]) if person.pk in hidden else person.first_name

    guardians = audience.guardians
    if thread.audience == policy.ONE_GUARDIAN:
        readers = [g for g in guardians if g.pk == thread.guardian_id]
    else:
        readers = list(guardians)
    left_out = [audience.student] + [g for g in guardians if g not in readers]
    if not readers:
        return _("Visible to the school only (not %(others)s)") % {
            "others": get_text_list([first(p) for p in left_out], _("or"))
        }
    return _("Visible to %(readers)s and the school (not %(others)s)") % {
        "readers": ", ".join(policy.shown_name(p, hidden) for p in readers),
        "others": get_text_list([first(p) for p in left_out], _("or")),
    }


def _unread_shown(count: int) -> str:
    """An unread count as its badge shows it: "99+" from ``UNREAD_CAP`` on, where counting
    stops (as ``renderUnread`` in the dialogue's script)."""
    return f"{queries.UNREAD_CAP - 1}+" if count >= queries.UNREAD_CAP else str(count)


@login_required
def student_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user = viewer(request)
    access = doors.student_page(user, student_id)
    page, student = access.page, access.student
    threads = queries.threads_of(page, user)
    # A thread the viewer may not read is not among them: the page opens at the first.
    wanted = request.GET.get("thread", "")
    thread = next((t for t in threads if str(t.pk) == wanted), threads[0])
    messages = queries.thread_messages(thread)
    archived = access.relation.is_archived
    audience = account_queries.student_page_audience(student, archived=archived)
    # A protected guardian is not named to the child's other guardian (no query unless
    # someone on the page is protected).
    hidden = policy.names_hidden_from(
        user, [audience.student, *audience.guardians, *(m.author for m in messages)]
    )
    # An archive has nothing new: readers keep no read position there (nothing is written).
    unread = {} if archived else queries.unread_counts(user, page)
    data: dict[str, Any] = {
        "page": page.pk,
        "thread": thread.pk,
        "head": page.last_seq,
        "me": {"id": user.pk, "name": user.display_name},
        "messages": [message_payload(m, list(m.attachments.all()), hidden) for m in messages],
        # Who has read the viewer's own messages: for the writer only, never broadcast.
        "receipts": {} if archived else own_receipts(user, student, thread, messages),
        "more": len(messages) == queries.PAGE_SIZE,
        "firstUnread": None if archived else queries.first_unread_seq(user, thread),
        "unread": {str(k): v for k, v in unread.items()},
        # Counts stop at this many ("99+"): counting never walks a long history.
        "unreadCap": queries.UNREAD_CAP,
        "roles": _role_labels(audience),
        "maxLength": MAX_MESSAGE_LENGTH,
        "maxUploadBytes": DEFAULT_MAX_BYTES,
        "csrf": get_token(request),
        "urls": {
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
            "hidden": hidden,
            "may_see_openings": access.relation.may_see_openings,
            "page": page,
            "threads": threads,
            "thread": thread,
            "unread": unread,
            "unread_shown": {pk: _unread_shown(n) for pk, n in unread.items()},
            "dialogue": data,
            "can_write": access.relation.may_write,
            "can_start_thread": may_start_thread(access.relation),
            "thread_readers": thread_readers(thread, audience, hidden),
            "can_export": access.relation.may_export,
        },
    )


@require_GET
@login_required
def thread_history_view(request: HttpRequest, page_id: int, thread_id: int) -> JsonResponse:
    """Earlier messages of a thread, before the given event number, oldest first."""
    user = viewer(request)
    access, thread = doors.thread(user, page_id, thread_id)
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        return json_error(Refused("malformed", _("The request was not understood.")))
    messages = queries.thread_messages(thread, before_seq=before)
    archived = access.relation.is_archived
    hidden = policy.names_hidden_from(user, [m.author for m in messages])
    return JsonResponse(
        {
            "messages": [message_payload(m, list(m.attachments.all()), hidden) for m in messages],
            "receipts": {} if archived else own_receipts(user, access.student, thread, messages),
            "more": len(messages) == queries.PAGE_SIZE,
        }
    )


@require_GET
@login_required
def message_revisions_view(request: HttpRequest, page_id: int, message_id: int) -> JsonResponse:
    """Earlier versions of an edited message, oldest first: the page is a public record,
    so its readers may see what a message said before it was changed. Retracted messages
    show nothing."""
    _access, message = doors.message(viewer(request), page_id, message_id)
    if message.retracted_at is not None:
        raise doors.not_found()
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
    upload = request.FILES.get("file")
    if upload is None:
        error: ActionError = Refused("empty", _("Choose a file to attach."))
    elif upload.size is not None and upload.size > DEFAULT_MAX_BYTES:
        error = Refused("too_large", _("The file is larger than 10 MB."))
    else:
        try:
            attachment = upload_attachment(
                viewer(request), page_id, name=upload.name or "", data=upload.read()
            )
        except (Refused, SensitiveText) as refusal:
            error = refusal
        else:
            return JsonResponse({"attachment": attachment_payload(attachment)}, status=201)
    # Only someone who may write on the page learns how the upload went.
    doors.page(viewer(request), page_id, opening=False)
    return json_error(error)


@require_GET
@login_required
def attachment_view(request: HttpRequest, page_id: int, attachment_id: int) -> FileResponse:
    """Serve a file after the door's check (an unsent file to its uploader only, a file of a
    retracted message to nobody)."""
    _access, attachment = doors.attachment(viewer(request), page_id, attachment_id)
    return private_file_response(
        attachment.file,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != Attachment.Kind.IMAGE,
        filename=attachment.display_name,
    )
