"""School structure (schools, classes, terms; school years and subjects to look up) and the
platform operators' security log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.actions import structure as structure_actions
from accounts.admin.site import PolicyAdmin, ReadOnlyAdmin, school_admin_site, schools_of
from accounts.models import LoginAttempt, School, SchoolClass, SchoolYear, Subject, Term


class SchoolScopedAdmin(PolicyAdmin):
    school_path = "school"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(**{f"{self.school_path}__in": schools_of(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is School:
            kwargs["queryset"] = schools_of(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SchoolClass, site=school_admin_site)
class SchoolClassAdmin(SchoolScopedAdmin):
    list_display = ("name", "grade", "school", "school_year")
    list_filter = ("school_year", "grade")
    fields = ("school", "school_year", "name", "grade")

    def save_model(self, request: HttpRequest, obj: SchoolClass, form: Any, change: bool) -> None:
        structure_actions.save_school_class(request.user, obj)


@admin.register(Term, site=school_admin_site)
class TermAdmin(SchoolScopedAdmin):
    list_display = ("__str__", "kind", "school", "school_year", "starts_on", "ends_on")
    fields = ("school", "school_year", "kind", "starts_on", "ends_on")

    def save_model(self, request: HttpRequest, obj: Term, form: Any, change: bool) -> None:
        structure_actions.save_term(request.user, obj)


@admin.register(School, site=school_admin_site)
class SchoolAdmin(SchoolScopedAdmin):
    school_path = "pk"
    list_display = ("name", "municipality")
    fields = ("name", "municipality")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return schools_of(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser and self.admin_site.has_permission(request))

    def save_model(self, request: HttpRequest, obj: School, form: Any, change: bool) -> None:
        structure_actions.save_school(request.user, obj)


@admin.register(SchoolYear, site=school_admin_site)
class SchoolYearAdmin(ReadOnlyAdmin):
    list_display = ("label", "starts_on", "ends_on")


@admin.register(Subject, site=school_admin_site)
class SubjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_sv", "name_en")


@admin.register(LoginAttempt, site=school_admin_site)
class LoginAttemptAdmin(ReadOnlyAdmin):
    """The security log, for platform operators only (usernames cross schools)."""

    list_display = ("at", "username", "address", "succeeded")
    list_filter = ("succeeded",)
    search_fields = ("username", "address")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser and super().has_module_permission(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser and super().has_view_permission(request, obj))
