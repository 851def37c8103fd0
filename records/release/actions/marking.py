"""Masking a passage, a whole document or an attachment of a request under review, and
unmasking it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.errors import NotFound, Refused
from accounts.policy import AnyUser
from records.models import Masking
from records.release.actions.base import (
    MASKING_REASON_MAX,
    active_ground,
    member,
    still_open,
)
from records.release.documents import DOCUMENT_KINDS, document_by_key
from records.release.doors import find_request
from records.release.masking import check_range, text_sha256


def add_masking(
    actor: AnyUser,
    request_id: int,
    *,
    document: str,
    document_id: int,
    field: str = "",
    start: int | None = None,
    end: int | None = None,
    selected: str = "",
    ground_id: int,
    reason: str = "",
) -> Masking:
    """Mask a passage (``field`` with ``start``/``end``: code points of the stored text,
    ``selected`` the text the reviewer selected, which must be exactly that range), or,
    without a field, a whole document or attachment. The document must be one the request
    covers; only while the request is open."""
    actor = member(actor)
    reason = reason.strip()
    if len(reason) > MASKING_REASON_MAX:
        raise Refused(
            "reason_too_long",
            _("The reason may be at most %(n)d characters.") % {"n": MASKING_REASON_MAX},
            field="reason",
        )
    with transaction.atomic():
        request, _relation = find_request(actor, request_id, lock=True)
        still_open(request)
        ground = active_ground(ground_id, "ground_id")
        key = (document, document_id)
        found = document_by_key(request, key) if document in DOCUMENT_KINDS else None
        if found is None or (document == "attachment" and found.file(key) is None):
            raise Refused(
                "not_in_scope", _("That document is not covered by this request."), field="document"
            )
        sha = ""
        if field:
            text = found.text(field) if document != "attachment" else None
            if text is None:
                raise Refused("unknown_text", _("That text is not part of the document."), field="field")
            try:
                check_range(text.value, start, end)
            except ValueError:
                raise Refused(
                    "bad_range",
                    _("The selection is outside the text. Select the passage again."),
                    field="selected",
                ) from None
            assert start is not None
            assert end is not None
            if selected != text.value[start:end]:
                raise Refused(
                    "selection_changed",
                    _(
                        "The selected text does not match the document's text. Reload the page and select "
                        "the passage again."
                    ),
                    field="selected",
                )
            sha = text_sha256(text.value)
        elif start is not None or end is not None or selected:
            raise Refused("bad_range", _("Name the text the passage is in."), field="field")
        same = request.maskings.filter(
            document=document, document_id=document_id, field=field, start=start, end=end
        )
        existing = same.first()
        if existing is not None:
            return existing  # the same passage sent twice (a double click): kept once
        return Masking.objects.create(
            request=request,
            document=document,
            document_id=document_id,
            field=field,
            start=start,
            end=end,
            text_sha256=sha,
            ground=ground,
            reason=reason,
            created_by=actor,
        )


def remove_masking(actor: AnyUser, request_id: int, masking_id: int) -> None:
    """Unmask: only while the request is open."""
    actor = member(actor)
    with transaction.atomic():
        request, _relation = find_request(actor, request_id, lock=True)
        still_open(request)
        removed, _by_model = request.maskings.filter(pk=masking_id).delete()
        if not removed:
            raise NotFound("unknown_masking", _("That masking does not exist."))
