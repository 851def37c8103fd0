"""The dialogue's messages as public records: each message sent before the request arrived,
as it read then, with the files sent with it.

- A message edited after the request arrived is shown with the text it had then (the edit
  kept it as a ``MessageRevision``: ``written_at`` at or before the arrival, ``replaced_at``
  after it).
- A message sent after the request arrived is not covered.
- A retracted message is covered. It was sent, and the school keeps it (a retraction only
  hides it from the page; ``dialogue.models.messages``), so it is a public record like any
  other and the reviewer judges it like any other. If it was retracted before the request
  arrived, the copy says so (and when); a retraction after the arrival changes nothing in
  how the message stood then, so it is not mentioned.
- A message of a private thread (read by the guardians and the school, or one guardian and
  the school) is covered like any other; the review and the copy say who could read it.
- A card (the timeline's line for a goal, an assessment, a talk or a programme) is not a
  message of its own: the document it shows is covered under its own kind, as it stood then
  (a card's summary is rewritten whenever its document changes, without history).

Two queries whatever the number of messages: the messages with their authors, threads and
files (one more for the files), and the texts of those edited after the request arrived.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from dialogue.models import Attachment, Message, MessageRevision, Thread
from records.release.documents import Document, File, Scope, Text, day, moment


def audience(thread: Thread) -> str:
    """Who reads a private thread, as the review and the copy say it."""
    if thread.audience == Thread.Audience.ONE_GUARDIAN and thread.guardian is not None:
        return _("%(guardian)s (guardian) and the school") % {"guardian": thread.guardian.display_name}
    return str(thread.get_audience_display())


def messages(
    scope: Scope, *, message_id: int | None = None, attachment_id: int | None = None
) -> list[Document]:
    """The messages of the scope (or only the one with ``message_id``, or the one that
    ``attachment_id`` was sent with), oldest first."""
    rows = Message.objects.filter(
        page__student_id=scope.student_id, card__isnull=True, created_at__lte=scope.received_at
    ).filter(scope.period_q("created_at"))
    revisions = MessageRevision.objects.filter(
        message__page__student_id=scope.student_id,
        written_at__lte=scope.received_at,
        replaced_at__gt=scope.received_at,
    )
    if message_id is not None:
        rows = rows.filter(pk=message_id)
        revisions = revisions.filter(message_id=message_id)
    if attachment_id is not None:
        rows = rows.filter(attachments__pk=attachment_id)
        revisions = revisions.filter(message__attachments__pk=attachment_id)
    rows = (
        rows.select_related("author", "thread__subject", "thread__guardian")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    then = {revision.message_id: revision for revision in revisions.only("message_id", "body", "written_at")}
    documents = []
    for message in rows:
        if not scope.in_period(message.created_at):
            continue
        earlier = then.get(message.pk)
        facts = []  # the title names the conversation
        if message.thread.is_private:
            # A private thread's messages are marked with who could read them (the review
            # sees every thread; the copy tells the requester the message was not page-wide).
            facts.append((_("Who could read it"), audience(message.thread)))
        if earlier is not None:
            body = earlier.body
            if earlier.written_at > message.created_at:
                facts.append((_("Edited"), moment(earlier.written_at)))
        else:
            body = message.body
            if message.edited_at is not None and message.edited_at <= scope.received_at:
                facts.append((_("Edited"), moment(message.edited_at)))
        if message.retracted_at is not None and message.retracted_at <= scope.received_at:
            facts.append((_("Retracted from the page"), moment(message.retracted_at)))
        documents.append(
            Document(
                kind="messages",
                key=("message", message.pk),
                title=_("Message in %(thread)s") % {"thread": message.thread.display_title},
                at=message.created_at,
                author=message.author.display_name,
                facts=facts,
                texts=[Text("body", "", body)] if body else [],
                files=[
                    File(
                        key=("attachment", attachment.pk),
                        name=attachment.display_name,
                        content_type=attachment.content_type,
                        stored_name=attachment.file.name,
                        is_image=attachment.kind == Attachment.Kind.IMAGE,
                    )
                    for attachment in message.attachments.all()
                ],
                generic_title=_("Message %(date)s") % {"date": day(message.created_at)},
            )
        )
    return documents
