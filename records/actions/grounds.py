"""The grounds for secrecy a masking cites (``SecrecyGround``): the municipality's operators
add one, correct its wording or take it out of use (the admin calls this). A ground is never
deleted: the maskings and decisions made with it keep citing it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.actions.actor import Actor, System
from accounts.errors import Refused, require
from records.models import SecrecyGround


def save_secrecy_ground(
    actor: Actor,
    ground_id: int | None,
    *,
    provision: str,
    title_sv: str,
    title_en: str,
    position: int = 0,
    active: bool = True,
) -> SecrecyGround:
    """Add a ground (``ground_id`` None) or change one. The provision is cited in the copy's
    markers ("23 kap. 2 § OSL"), so it must be given and unique."""
    if not isinstance(actor, System):
        require(policy.can_set_secrecy_grounds(actor))
    provision = " ".join(provision.split())
    if not provision:
        raise Refused("ground_provision", _("Give the provision, e.g. 23 kap. 2 §."), field="provision")
    if not title_sv.strip() or not title_en.strip():
        field = "title_sv" if not title_sv.strip() else "title_en"
        raise Refused("ground_title", _("Describe the ground in Swedish and in English."), field=field)
    with transaction.atomic():
        taken = SecrecyGround.objects.filter(provision=provision)
        if ground_id is not None:
            taken = taken.exclude(pk=ground_id)
        if taken.exists():
            raise Refused("ground_taken", _("That provision is in the list already."), field="provision")
        if ground_id is None:
            ground = SecrecyGround()
        else:
            ground = SecrecyGround.objects.select_for_update().get(pk=ground_id)
        ground.provision = provision
        ground.title_sv = title_sv.strip()[:200]
        ground.title_en = title_en.strip()[:200]
        ground.position = position
        ground.active = active
        ground.save()
    return ground
