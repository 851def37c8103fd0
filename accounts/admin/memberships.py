"""Inline sections for a person's dated memberships (enrolments, guardianships, teaching,
mentorships, staff roles), each narrowed to the administrator's schools."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.actions import memberships as membership_actions
from accounts.admin.site import school_admin_site, schools_of
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    School,
    SchoolClass,
    StaffRole,
    TeachingAssignment,
    User,
)

# Inline fields that are not part of what a membership is (its dates and the row's id).
_NOT_IDENTITY = frozenset({"id", "starts_on", "ends_on", "end_reason"})


class MembershipFormSet(forms.BaseInlineFormSet):
    """Reports overlapping memberships as form errors instead of failing on save: against
    the stored ones, and between rows of the same post (two new rows for the same class
    pass the database check, and the second would fail in the action)."""

    def clean(self) -> None:
        super().clean()
        accepted: list[tuple[tuple[Any, ...], Any]] = []
        for form in self.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data") or form.errors:
                continue
            identity = tuple(
                form.cleaned_data.get(name)
                for name in form.fields
                if name not in _NOT_IDENTITY and name != self.fk.name
            )
            try:
                membership_actions.check_no_overlap(form.instance)
                if any(
                    other_identity == identity and form.instance.shares_a_day_with(other)
                    for other_identity, other in accepted
                ):
                    raise ValidationError(_("This membership already exists for some of these dates."))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                accepted.append((identity, form.instance))


class MembershipInline(admin.TabularInline):
    formset = MembershipFormSet
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return school_admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return school_admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return school_admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        schools = schools_of(request)
        if db_field.related_model is SchoolClass:
            kwargs["queryset"] = SchoolClass.objects.filter(school__in=schools).select_related("school_year")
        elif db_field.related_model is School:
            kwargs["queryset"] = schools
        elif db_field.related_model is User:
            kwargs["queryset"] = policy.administered_people(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EnrolmentInline(MembershipInline):
    model = Enrolment
    fk_name = "student"
    fields = ("school_class", "starts_on", "ends_on", "end_reason")
    verbose_name_plural = gettext_lazy("Enrolled in classes (as a student)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(school_class__school__in=schools_of(request))


class GuardianOfInline(MembershipInline):
    model = Guardianship
    fk_name = "guardian"
    fields = ("student", "starts_on", "ends_on", "end_reason")
    autocomplete_fields = ("student",)
    verbose_name_plural = gettext_lazy("Is guardian of")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        students = Enrolment.objects.filter(school_class__school__in=schools_of(request)).values("student")
        return super().get_queryset(request).filter(student__in=students)


class GuardiansInline(MembershipInline):
    model = Guardianship
    fk_name = "student"
    fields = ("guardian", "starts_on", "ends_on", "end_reason")
    autocomplete_fields = ("guardian",)
    verbose_name_plural = gettext_lazy("This student's guardians")


class TeachingInline(MembershipInline):
    model = TeachingAssignment
    fk_name = "teacher"
    fields = ("school_class", "subject", "starts_on", "ends_on", "end_reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(school_class__school__in=schools_of(request))


class MentorshipInline(MembershipInline):
    model = Mentorship
    fk_name = "teacher"
    fields = ("school_class", "starts_on", "ends_on", "end_reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(school_class__school__in=schools_of(request))


class StaffRoleInline(MembershipInline):
    model = StaffRole
    fk_name = "user"
    fields = ("school", "role", "starts_on", "ends_on", "end_reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(school__in=schools_of(request))
