"""The access log in the administration: read-only, for platform operators only (it crosses
schools). Nothing can be added, changed or removed here; the purge is the only removal."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from accounts.admin.site import ReadOnlyAdmin, school_admin_site
from records.models import Opening


@admin.register(Opening, site=school_admin_site)
class OpeningAdmin(ReadOnlyAdmin):
    list_display = ("at", "viewer", "role", "student", "what", "object_id", "channel")
    list_filter = ("role", "channel")
    list_select_related = ("viewer", "student")
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser and super().has_module_permission(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser and super().has_view_permission(request, obj))
