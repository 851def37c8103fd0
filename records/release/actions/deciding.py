"""Deciding a request: the released copy and the decision document, built and stored
together or not at all, and the preview that is built by the same code."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from accounts.errors import Refused
from accounts.openings import record_opening
from accounts.policy import AnyUser
from records.models import Masking, ReleaseRequest
from records.release.actions.base import (
    COPY_LANGUAGE,
    REFUSAL_REASON_MAX,
    active_ground,
    member,
    stale_masking,
    still_open,
)
from records.release.copy import build_copy, copy_html
from records.release.decision import DECISION_OUTCOMES, decision_html, decision_pdf
from records.release.documents import documents_in_scope
from records.release.doors import find_request
from records.release.masking import StaleMasking
from records.release.pdf import UnreadableAppendix
from writing.uploads import private_storage


def _store(data: bytes, extension: str, saved: list[str]) -> str:
    name = private_storage().save(f"releases/{get_random_string(32)}{extension}", ContentFile(data))
    saved.append(name)
    return name


def decide_release(
    actor: AnyUser,
    request_id: int,
    *,
    outcome: str,
    refusal_ground_id: int | None = None,
    refusal_reason: str = "",
) -> ReleaseRequest:
    """Decide: release in full (no maskings), with masking (at least one), or refuse (with a
    ground). Builds and stores the copy (not on refusal) and the decision document (masking
    or refusal), and logs the release in the student's access log."""
    actor = member(actor)
    saved: list[str] = []
    try:
        with transaction.atomic():
            request, relation = find_request(actor, request_id, lock=True)
            still_open(request)
            maskings = list(request.maskings.select_related("ground"))
            _check_outcome(outcome, maskings)
            request.outcome = outcome
            if outcome == ReleaseRequest.Outcome.REFUSED:
                request.refusal_ground = active_ground(refusal_ground_id, "refusal_ground_id")
                request.refusal_reason = _refusal_reason(refusal_reason)
            request.status = ReleaseRequest.Status.DECIDED
            request.decided_by = actor
            request.decided_at = timezone.now()
            with translation.override(COPY_LANGUAGE):
                if outcome != ReleaseRequest.Outcome.REFUSED:
                    try:
                        built = build_copy(
                            request, documents_in_scope(request), maskings, language=COPY_LANGUAGE
                        )
                    except StaleMasking as error:
                        raise stale_masking() from error
                    except UnreadableAppendix as error:
                        raise Refused(
                            "unreadable_attachment",
                            _(
                                "The attached PDF %(name)s cannot be read to be added to the copy. Withhold "
                                "it here (mask it whole) and hand it over separately."
                            )
                            % {"name": error.name},
                        ) from error
                    request.copy_html = _store(built.html.encode("utf-8"), ".html", saved)
                    request.copy_pdf = _store(built.pdf, ".pdf", saved)
                if outcome in DECISION_OUTCOMES:
                    html = decision_html(request, maskings)
                    request.decision_html = _store(html.encode("utf-8"), ".html", saved)
                    request.decision_pdf = _store(decision_pdf(html), ".pdf", saved)
            request.save()
            record_opening(
                viewer_id=actor.pk,
                student_id=request.student_id,
                what="release_copy" if request.copy_pdf else "release_decision",
                object_id=request.pk,
                relation=relation,
            )
    except BaseException:
        for name in saved:
            private_storage().delete(name)
        raise
    return request


def _check_outcome(outcome: str, maskings: Sequence[Masking]) -> None:
    if outcome not in ReleaseRequest.Outcome.values:
        raise Refused("bad_outcome", _("Choose a decision."), field="outcome")
    if outcome == ReleaseRequest.Outcome.FULL and maskings:
        raise Refused(
            "has_maskings",
            _("Passages are masked: release with masking, or remove the maskings to release in full."),
            field="outcome",
        )
    if outcome == ReleaseRequest.Outcome.MASKED and not maskings:
        raise Refused(
            "no_maskings",
            _("Nothing is masked: release in full, or mask what is confidential."),
            field="outcome",
        )


def _refusal_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > REFUSAL_REASON_MAX:
        raise Refused(
            "reason_too_long",
            _("The reason may be at most %(n)d characters.") % {"n": REFUSAL_REASON_MAX},
            field="refusal_reason",
        )
    return reason


def preview_html(actor: AnyUser, request_id: int) -> str:
    """The copy exactly as it is released: for an open request, built now by the same code
    the decision uses (the documents as they stood when the request arrived, the maskings as
    they are); for a decided one, the copy that was stored. Not an opening (the page showing
    it opens the request through the door)."""
    request, _relation = find_request(member(actor), request_id)
    return copy_for(request)


def copy_for(request: ReleaseRequest) -> str:
    if request.status == ReleaseRequest.Status.DECIDED:
        if not request.copy_html:
            raise Refused("no_copy", _("The request was refused: no copy was released."))
        with private_storage().open(request.copy_html, "rb") as stored:
            return bytes(stored.read()).decode("utf-8")
    maskings = list(request.maskings.select_related("ground"))
    try:
        return copy_html(request, documents_in_scope(request), maskings, language=COPY_LANGUAGE)
    except StaleMasking as error:
        raise stale_masking() from error
