"""The retention rules and the grounds for secrecy in the administration, for the
installation's operators (superusers) only: both are the municipality's, not a school's.
(The purge log is read in the database or through ``manage.py purge_records`` output; it
holds no personal data.)"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.admin.site import PolicyAdmin, school_admin_site
from records.actions.grounds import save_secrecy_ground
from records.actions.retention import change_retention_rule
from records.models import RetentionRule, SecrecyGround


class OperatorsOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_set_retention_rules(request.user) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return policy.can_set_retention_rules(request.user) and super().has_view_permission(request, obj)  # type: ignore[misc]


@admin.register(RetentionRule, site=school_admin_site)
class RetentionRuleAdmin(OperatorsOnly, PolicyAdmin):
    list_display = ("applies_to", "years", "basis", "updated_at", "changed_by")
    fields = ("applies_to", "years", "basis")
    readonly_fields = ("applies_to",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one rule per kind of record, seeded by the migration

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return policy.can_set_retention_rules(request.user) and super().has_change_permission(request, obj)

    @admin.display(description=_("changed by"))
    def changed_by(self, obj: RetentionRule) -> str:
        return obj.updated_by.display_name if obj.updated_by is not None else "–"

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        change_retention_rule(request.user, obj.pk, years=obj.years, basis=obj.basis)


@admin.register(SecrecyGround, site=school_admin_site)
class SecrecyGroundAdmin(OperatorsOnly, PolicyAdmin):
    """The grounds a masking or a refusal cites. Added and changed, never deleted (the
    decisions made with a ground keep citing it): one no longer used is taken out of use."""

    list_display = ("provision", "title_sv", "title_en", "position", "active")
    fields = ("provision", "title_sv", "title_en", "position", "active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_set_secrecy_grounds(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return policy.can_set_secrecy_grounds(request.user) and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: SecrecyGround, form: Any, change: bool) -> None:
        saved = save_secrecy_ground(
            request.user,
            obj.pk if change else None,
            provision=obj.provision,
            title_sv=obj.title_sv,
            title_en=obj.title_en,
            position=obj.position,
            active=obj.active,
        )
        obj.pk = saved.pk
