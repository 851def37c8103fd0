"""What the release actions share: who may act, the open request, the ground chosen, and the
refusal for a masking that no longer fits."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.errors import NotFound, Refused
from accounts.models import User
from accounts.policy import AnyUser
from records.models import ReleaseRequest, SecrecyGround

# The language of the released copy and the decision: the authority's (Språklagen).
COPY_LANGUAGE = "sv"
REQUESTER_MAX = 200
CONTACT_MAX = 300
MASKING_REASON_MAX = 300
REFUSAL_REASON_MAX = 500


def member(actor: AnyUser) -> User:
    """The acting person; anyone not signed in (or no longer active) is told nothing exists."""
    if not (actor.is_authenticated and actor.is_active):
        raise NotFound
    assert isinstance(actor, User)
    return actor


def still_open(request: ReleaseRequest) -> None:
    """Maskings change only until the request is decided: the copy is what was decided."""
    if request.status != ReleaseRequest.Status.OPEN:
        raise Refused("decided", _("The request is already decided; its maskings can no longer change."))


def active_ground(ground_id: int | None, field: str) -> SecrecyGround:
    """The ground chosen, if it is on the list and still in use (``field``: the form's field)."""
    ground = SecrecyGround.objects.filter(pk=ground_id, active=True).first() if ground_id else None
    if ground is None:
        raise Refused("bad_ground", _("Choose a ground for secrecy from the list."), field=field)
    return ground


def stale_masking() -> Refused:
    return Refused(
        "stale_masking",
        _("A masking no longer fits its document. Remove it and mask the passage again."),
    )
