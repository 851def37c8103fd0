"""Writing in the dialogue: send, edit, retract, and how far one has read.

Every change takes the page's next event number under a lock on the page row, is saved in
one transaction, and is published to the page's open sockets after commit.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import events, policy
from accounts.errors import Forbidden, NotFound, Refused, require
from accounts.models import User
from dialogue import doors, queries
from dialogue.actions import receipts
from dialogue.actions.message_store import NewMessage, recent_window_start, store_message
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_MESSAGE_LENGTH,
    Attachment,
    Message,
    MessageRevision,
    ReadState,
    StudentPage,
    Thread,
)
from dialogue.payloads import message_payload
from writing.counters import next_seq
from writing.frames import encode_frame
from writing.rendering import render_markdown
from writing.texts import clean_text, guard_texts


def _check_body(body: str, *, attachments: int = 0) -> None:
    if not body.strip() and not attachments:
        raise Refused("empty", _("Write something before sending."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise Refused(
            "too_long",
            _(
                "The message is %(length)d characters long; the limit is %(limit)d. Shorten it or split it in two."  # noqa: E501
            )
            % {"length": len(body), "limit": MAX_MESSAGE_LENGTH},
            limit=MAX_MESSAGE_LENGTH,
        )


def _rate_limited(actor: User) -> Refused:
    """The refusal of a send over the limit, with how long to wait for the oldest counted send
    to leave the minute."""
    limit = settings.DIALOGUE_SEND_LIMIT_PER_MINUTE
    oldest_counted = (
        Message.objects.filter(author=actor, created_at__gte=recent_window_start())
        .order_by("-created_at")
        .values_list("created_at", flat=True)[limit - 1 : limit]
        .first()
    )
    wait = 1
    if oldest_counted is not None:
        left = oldest_counted + datetime.timedelta(minutes=1) - timezone.now()
        wait = max(1, int(left.total_seconds()) + 1)
    return Refused(
        "rate_limited",
        ngettext(
            "You are sending very fast. Wait %(seconds)d second and send again.",
            "You are sending very fast. Wait %(seconds)d seconds and send again.",
            wait,
        )
        % {"seconds": wait},
        retry_after=wait,
    )


def _unknown_thread() -> Refused:
    # A thread outside the actor's audience answers exactly as a missing one.
    return Refused("unknown_thread", _("That conversation does not exist on this page."))


def publish_message(message: Message, attachments: list[Attachment]) -> dict[str, Any]:
    """Send the message's frame to the sockets that show its page: the page's group for a
    thread everyone reads; for a private thread, only the sockets of its audience
    (``accounts.events``: the consumer relays it to those that follow the page)."""
    payload = message_payload(message, attachments)
    # Encoded once here for every socket that shows it (``frontend.process_relay``).
    frame = encode_frame({"type": "message", "message": payload})
    event = {"type": "dialogue.message", "page": message.page_id, "frame": frame}
    events.publish(thread_groups(message.thread, message.page.student_id), event)
    return payload


def thread_groups(thread: Thread, student_id: int) -> list[str]:
    """The channel groups a thread's live frames (messages, typing) go to: the page's group, or
    for a private thread each of its readers' own groups, asked of the policy now (one query),
    so that someone whose access ended hears nothing more."""
    if not thread.is_private:
        return [events.page_group(thread.page_id)]
    readers = policy.thread_audience(policy.roles_on_student_page(User(pk=student_id)), thread)
    return [events.user_group(pk) for pk in sorted(readers)]


def post_message(
    actor: User,
    page: StudentPage | int,
    *,
    thread_id: int,
    body: str,
    client_id: uuid.UUID,
    attachment_ids: Sequence[int] = (),
    send_anyway: bool = False,
) -> tuple[Message, dict[str, Any]]:
    """Send a message. Returns the message and its payload (as published).

    A send repeated with the same ``client_id`` (a retry after a lost acknowledgement)
    returns the stored message and stores nothing new. Raises ``Refused`` for bad input
    or too many sends, ``SensitiveText`` when the guard has findings and ``send_anyway``
    is false, ``NotFound`` when the actor may not read the page.

    Three round trips to the database for a message without files or findings: the thread
    with its page and student, the actor's relation to the student, and the statement that
    stores it (``message_store``).
    """
    given = page if isinstance(page, StudentPage) else None
    page_id = page if isinstance(page, int) else page.pk
    thread: Thread | None
    try:
        access, thread = doors.thread(actor, page_id, thread_id, opening=False)
    except NotFound:
        # Not a thread the actor reads on this page: an unreadable page is not found; on a
        # readable one the thread is unknown (after the checks of what was written).
        access, thread = doors.page(actor, page, opening=False), None
    require(access.relation.may_write)
    page = access.page
    body = clean_text(body)
    attachment_ids = list(dict.fromkeys(attachment_ids))
    _check_body(body, attachments=len(attachment_ids))
    if thread is None:
        raise _unknown_thread()
    findings = guard_texts({"body": body}, send_anyway=send_anyway)
    new = NewMessage(page, thread, actor, client_id, body, render_markdown(body))
    attachments: list[Attachment] = []
    try:
        with _transaction_unless_alone(attachment_ids or findings):
            message = store_message(new)
            if message is not None:
                attachments = _claim_attachments(actor, page, message, attachment_ids)
                if findings:
                    flag_student_text(
                        actor, page.student_id, FlagSource.MESSAGE, message.pk, {"body": body}, findings
                    )
    except IntegrityError:
        # A retry of a send that was stored (its acknowledgement was lost): the unique
        # client id refuses the copy, the rollback returns the page number taken for it,
        # and the stored message is the answer. Checking first would cost every send a query.
        page.refresh_from_db(fields=["last_seq"])  # the number taken was rolled back
        existing = queries.message_by_client_id(actor, client_id)
        if existing is None:
            raise
        return existing, message_payload(existing, list(existing.attachments.all()))
    if message is None:
        # Over the send limit: a retry of a stored send still gets its answer, whatever the rate.
        existing = queries.message_by_client_id(actor, client_id)
        if existing is None:
            raise _rate_limited(actor)
        return existing, message_payload(existing, list(existing.attachments.all()))
    if given is not None:
        given.last_seq = page.last_seq  # the caller's copy of the page sees its new head
    return message, publish_message(message, attachments)


def _transaction_unless_alone(more: object) -> contextlib.AbstractContextManager[Any]:
    """No transaction of its own for the one statement that stores a plain message on
    PostgreSQL (``message_store``). Files and findings are stored with it in a transaction;
    inside a caller's transaction a savepoint keeps a refused copy from spoiling it."""
    alone = connection.vendor == "postgresql" and not more and not connection.in_atomic_block
    return contextlib.nullcontext() if alone else transaction.atomic()


def _claim_attachments(actor: User, page: StudentPage, message: Message, ids: list[int]) -> list[Attachment]:
    if not ids:
        return []
    attachments = list(
        Attachment.objects.select_for_update()
        .filter(pk__in=ids, page=page, uploaded_by=actor, message__isnull=True)
        .order_by("pk")
    )
    if len(attachments) != len(ids):
        raise Refused("attachment_unavailable", _("An attached file could not be found. Attach it again."))
    Attachment.objects.filter(pk__in=ids).update(message=message)
    for attachment in attachments:
        attachment.message = message
    return attachments


def _changeable(actor: User, message_id: int, page_id: int | None) -> tuple[doors.PageAccess, Message]:
    """The message to change with the actor's access to its page. A message that is missing,
    not on ``page_id`` (when given) or on a page the actor may not read is unknown alike."""
    message = queries.message_for_change(message_id)
    if message is None or (page_id is not None and message.page_id != page_id):
        raise NotFound("unknown_message", _("That message does not exist."))
    try:
        access = doors.page(actor, message.page, opening=False)
    except NotFound:
        raise NotFound("unknown_message", _("That message does not exist.")) from None
    if not policy.may_read_thread(access.relation, message.thread):
        raise NotFound("unknown_message", _("That message does not exist."))
    if message.card is not None:
        # A card shows a document (an assessment, a goal ...) that has its own history.
        raise Refused("card", _("A card changes through its own form, not as a message."))
    return access, message


def _cannot_change() -> Forbidden:
    return Forbidden("forbidden", _("You cannot change that message."))


def edit_message(
    actor: User, message_id: int, *, body: str, send_anyway: bool = False, page_id: int | None = None
) -> tuple[Message, dict[str, Any]]:
    """Replace a message's text; the earlier text is kept as a revision (public record). Only
    its author, while they may write on the page."""
    access, message = _changeable(actor, message_id, page_id)
    if not access.relation.may_edit(message.author_id):
        raise _cannot_change()
    if message.retracted_at is not None:
        raise Refused("retracted", _("A retracted message cannot be edited."))
    body = clean_text(body)
    attachments = list(message.attachments.all())
    _check_body(body, attachments=len(attachments))
    if body == message.body:
        return message, message_payload(message, attachments)
    findings = guard_texts({"body": body}, send_anyway=send_anyway)
    with transaction.atomic():
        seq = next_seq(message.page)
        MessageRevision.objects.create(
            message=message,
            body=message.body,
            body_html=message.body_html,
            written_at=message.edited_at or message.created_at,
        )
        message.body = body
        message.body_html = render_markdown(body)
        message.edited_at = timezone.now()
        message.change_seq = seq
        message.save(update_fields=["body", "body_html", "edited_at", "change_seq"])
        if findings:
            flag_student_text(
                actor, message.page.student_id, FlagSource.MESSAGE_EDIT, message.pk, {"body": body}, findings
            )
        payload = publish_message(message, attachments)
    return message, payload


def retract_message(
    actor: User, message_id: int, *, page_id: int | None = None
) -> tuple[Message, dict[str, Any]]:
    """Hide a message from the page; its text stays on record with who retracted it. Its
    author while still a member, or the principal."""
    access, message = _changeable(actor, message_id, page_id)
    if not access.relation.may_retract(message.author_id):
        raise _cannot_change()
    if message.retracted_at is not None:
        return message, message_payload(message, [])
    with transaction.atomic():
        seq = next_seq(message.page)
        message.retracted_at = timezone.now()
        message.retracted_by = actor
        message.change_seq = seq
        message.save(update_fields=["retracted_at", "retracted_by", "change_seq"])
        payload = publish_message(message, [])
    return message, payload


def mark_read(actor: User, page: StudentPage | int, *, thread_id: int, seq: int) -> dict[int, int]:
    """Record that the actor has read the thread up to ``seq`` (never moving backwards) and
    return their unread counts per thread, also sent to their other tabs and devices."""
    access = doors.page(actor, page, opening=False)
    page = access.page
    thread = page.threads.filter(pk=thread_id).first()
    if thread is None or not policy.may_read_thread(access.relation, thread):
        raise _unknown_thread()
    if access.relation.is_archived:
        # Nothing is written to an archive, not even where a reader got to: it has nothing
        # new to be unread (the page shows no unread counts).
        return {}
    seq = min(max(0, seq), page.last_seq)
    with transaction.atomic():
        state, created = ReadState.objects.get_or_create(
            user=actor, thread=thread, defaults={"last_read_seq": seq}
        )
        before = 0 if created else state.last_read_seq
        advanced = seq > before
        if advanced and not created:
            advanced = bool(
                ReadState.objects.filter(pk=state.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
            )
        if advanced:
            # When it moved forward is kept, and the writers of what was newly read are told.
            receipts.reading_advanced(actor, page, thread, before=before, upto=seq)
        unread = queries.unread_counts(actor, page)
        events.publish(
            [events.user_group(actor.pk)],
            {"type": "dialogue.unread", "page": page.pk, "unread": {str(k): v for k, v in unread.items()}},
        )
    return unread
