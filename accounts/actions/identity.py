"""A person's identity as the register knows it: civic number, protected personal data and
school-account names. Set by the roster sync (SYSTEM) or by a school administrator of a
school the person belongs to.

A civic number is validated and stored as twelve digits (``accounts.civic``). Refusals never
repeat the number: it must not reach logs or pages through an error message.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import civic, events, policy
from accounts.actions.actor import SYSTEM, Actor
from accounts.errors import Refused, require
from accounts.models import SchoolAccountName, SecurityMarking, User


def _may_manage(actor: Actor, person: User) -> bool:
    if actor is SYSTEM:
        return True
    return policy.administered_people(actor).filter(pk=person.pk).exists()  # type: ignore[arg-type]


def check_civic_number(raw: str) -> str:
    """The twelve-digit form, or ``Refused`` saying what is wrong (not the number)."""
    try:
        return civic.normalise(raw, today=policy.today())
    except ValueError:
        message = _("That is not a valid civic number.")
        raise Refused("invalid_civic_number", message, field="civic_number") from None


@transaction.atomic
def set_civic_number(actor: Actor, person: User, raw: str | None) -> User:
    """Set (or, with ``None`` or blank, clear) a person's civic number. Two people never
    share one."""
    require(_may_manage(actor, person))
    number = check_civic_number(raw) if raw and raw.strip() else None
    if number is not None and User.objects.filter(civic_number=number).exclude(pk=person.pk).exists():
        raise Refused(
            "civic_number_taken", _("Another person already has that civic number."), field="civic_number"
        )
    person.civic_number = number
    person.save(update_fields=["civic_number"])
    return person


@transaction.atomic
def set_security_marking(actor: Actor, person: User, marking: str) -> User:
    """Mark (or unmark) a person as having protected personal data. Open sockets re-check
    what they may show, since names in shared places follow the marking."""
    require(_may_manage(actor, person))
    if marking not in SecurityMarking.values:
        raise Refused("invalid", _("Unknown security marking."), field="security_marking")
    if person.security_marking != marking:
        person.security_marking = marking
        person.save(update_fields=["security_marking"])
        events.recheck_access(user_ids=[person.pk])
    return person


@transaction.atomic
def set_school_account_names(actor: Actor, person: User, names: Iterable[str]) -> User:
    """The person's school-account names become exactly ``names`` (lower-cased). A name that
    already belongs to someone else is refused, never moved."""
    require(_may_manage(actor, person))
    wanted = {name.strip().lower() for name in names if name.strip()}
    taken = SchoolAccountName.objects.filter(name__in=wanted).exclude(user=person)
    if taken.exists():
        raise Refused("school_account_taken", _("Another person already has that school account."))
    SchoolAccountName.objects.filter(user=person).exclude(name__in=wanted).delete()
    existing = set(SchoolAccountName.objects.filter(user=person).values_list("name", flat=True))
    SchoolAccountName.objects.bulk_create(
        [SchoolAccountName(user=person, name=name) for name in sorted(wanted - existing)]
    )
    return person
