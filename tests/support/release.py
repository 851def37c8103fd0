"""A request for public records on the cast's student, made through the real actions."""

from __future__ import annotations

from django.utils import timezone

from dialogue.models import Message
from records.models import ReleaseRequest, SecrecyGround
from records.release.actions import add_masking, decide_release, register_request
from tests.support.cast import Cast


def released_with_masking(cast: Cast, message: Message, passage: str) -> ReleaseRequest:
    """A request for the student's messages registered by the registrar, ``passage`` of
    ``message`` masked, released with masking: its copy and decision (HTML and PDF) are
    stored."""
    request = register_request(
        cast.registrar,
        student_id=cast.student.pk,
        received_at=timezone.now(),
        requester="Jon Journalist",
        requester_contact="jon@example.org",
        kinds=["messages"],
        period_from=None,
        period_to=None,
        delivery="email",
        handler_id=cast.registrar.pk,
    )
    message.refresh_from_db()
    start = message.body.index(passage)
    add_masking(
        cast.registrar,
        request.pk,
        document="message",
        document_id=message.pk,
        field="body",
        start=start,
        end=start + len(passage),
        selected=passage,
        ground_id=SecrecyGround.objects.get(provision="23 kap. 2 §").pk,
        reason="Uppgift om elevhälsa",
    )
    return decide_release(cast.registrar, request.pk, outcome="masked")


def stored_files(request: ReleaseRequest) -> list[str]:
    return [request.copy_html, request.copy_pdf, request.decision_html, request.decision_pdf]
