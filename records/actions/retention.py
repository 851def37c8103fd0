"""Changing a retention rule: the municipality's document management plan says how long a
kind of record is kept, and an operator sets it here (the admin calls this)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.actions.actor import Actor, System, person_or_none
from accounts.errors import Refused, require
from records.models import RetentionRule

# A rule longer than a lifetime is a typing mistake; one shorter than a year removes a
# student's records while guardians may still ask for them.
MIN_YEARS, MAX_YEARS = 1, 100


def change_retention_rule(actor: Actor, rule_id: int, *, years: int, basis: str) -> RetentionRule:
    if not isinstance(actor, System):  # the operator's own commands act as SYSTEM
        require(policy.can_set_retention_rules(actor))
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise Refused(
            "retention_years",
            _("A rule keeps records between %(min)s and %(max)s years.")
            % {"min": MIN_YEARS, "max": MAX_YEARS},
            field="years",
        )
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().get(pk=rule_id)
        rule.years = years
        rule.basis = basis.strip()[:200]
        rule.updated_by = person_or_none(actor)
        rule.save(update_fields=["years", "basis", "updated_by", "updated_at"])
    return rule
