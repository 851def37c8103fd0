"""Requests for public records about the cast's students, made through the real actions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from records.models import Masking, ReleaseRequest, SecrecyGround
from records.release import actions
from tests.support.cast import Cast

HEALTH = "23 kap. 2 §"


def ground(provision: str = HEALTH) -> SecrecyGround:
    """A seeded ground (the migration's), by its provision."""
    found = SecrecyGround.objects.filter(provision=provision).first()
    assert found is not None, provision
    return found


def register(
    cast: Cast,
    *,
    student: User | None = None,
    actor: User | None = None,
    kinds: list[str] | None = None,
    requester: str = "",
    received_at: Any = None,
) -> ReleaseRequest:
    """A request about ``student`` (the cast's student) registered by the registrar, received
    now (after everything the test wrote, so all of it is in scope)."""
    actor = actor or cast.registrar
    return actions.register_request(
        actor,
        student_id=(student or cast.student).pk,
        received_at=received_at or timezone.now(),
        requester=requester,
        requester_contact="",
        kinds=kinds or ["messages", "assessments"],
        period_from=None,
        period_to=None,
        delivery=ReleaseRequest.Delivery.PAPER,
        handler_id=actor.pk,
    )


def mask_passage(actor: User, request: ReleaseRequest, message: Any, words: str, reason: str = "") -> Masking:
    """Mask ``words`` (as they stand in ``message``'s body) under 23 kap. 2 §."""
    start = message.body.index(words)
    return actions.add_masking(
        actor,
        request.pk,
        document="message",
        document_id=message.pk,
        field="body",
        start=start,
        end=start + len(words),
        selected=words,
        ground_id=ground().pk,
        reason=reason,
    )


def release_objects(cast: Cast, objects: dict[str, Any]) -> dict[str, Any]:
    """For the access matrix (``objects``: its dialogue objects): an open request about the
    student with one masked passage in guardian_1's message, a second request about the
    student (decided by ``decided`` for the rows that need it: making the copy and the
    decision takes 80 ms, and the matrix builds its objects for each of its 200 rows), and an
    open request about the student who left."""
    request = register(cast)
    masking = mask_passage(cast.registrar, request, objects["message"], "en teckning")
    to_decide = register(cast, kinds=["assessments"])
    archived = register(cast, student=cast.left_student, kinds=["messages"])
    return {
        "release": request,
        "release_masking": masking,
        "release_decided": to_decide,
        "release_archive": archived,
    }


def decided(cast: Cast, extra: dict[str, Any]) -> ReleaseRequest:
    """The matrix's second request, decided in full (once: later calls find it decided)."""
    request: ReleaseRequest = extra["release_decided"]
    request.refresh_from_db()
    if request.status == ReleaseRequest.Status.OPEN:
        actions.decide_release(cast.registrar, request.pk, outcome=ReleaseRequest.Outcome.FULL)
        request.refresh_from_db()
    return request
