"""What clients receive about a message: one JSON shape for the page's first render, live
events and catching up after a reconnect. Built once per change and sent to every member,
so it holds nothing that depends on who reads it (the browser marks its own messages)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dialogue.models import Attachment, Message


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.display_name,
        "kind": attachment.kind,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": reverse("attachment", args=[attachment.page_id, attachment.pk]),
    }


def message_payload(message: Message, attachments: list[Attachment]) -> dict[str, Any]:
    """Precondition: ``message.author`` is loaded (select_related) and ``attachments`` are
    the message's attachments. A retracted message keeps its place but not its content."""
    retracted = message.retracted_at is not None
    return {
        "id": message.pk,
        "page": message.page_id,
        "thread": message.thread_id,
        "seq": message.seq,
        "change_seq": message.change_seq,
        "client_id": str(message.client_id),
        "author": {"id": message.author_id, "name": message.author.display_name},
        "html": "" if retracted else message.body_html,
        "body": "" if retracted else message.body,  # the Markdown source, for editing
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "retracted": retracted,
        "attachments": [] if retracted else [attachment_payload(a) for a in attachments],
    }
