"""Administration for school administrators: people and memberships of their own schools.

A separate AdminSite whose permission comes from the access policy (an active school
administrator role, or a superuser), not from Django's is_staff flag and model permissions.
Every list is narrowed to the administrator's schools, every choice of class or school to
those schools, and every save goes through an action, which checks the policy again.
Nothing can be deleted: memberships are ended with a date.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.actions import memberships as membership_actions
from accounts.actions import people as people_actions
from accounts.actions import structure as structure_actions
from accounts.actions.otp import is_verified
from accounts.actions.sessions import log_out
from accounts.models import (
    Enrolment,
    Guardianship,
    LoginAttempt,
    Mentorship,
    School,
    SchoolClass,
    SchoolYear,
    StaffRole,
    Subject,
    TeachingAssignment,
    Term,
    User,
)


class SchoolAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Elevdialog – school administration")
    site_title = gettext_lazy("School administration")
    index_title = gettext_lazy("People and memberships")
    enable_nav_sidebar = False
    final_catch_all_view = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and is_verified(user)
            and policy.administered_schools(user).exists()
        )

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """Anonymous visitors go straight to the site's login page; logged-in people without
        an administrator role get 403 at once (no detour through a second login page)."""
        inner = super().admin_view(view, cacheable)

        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("login"))
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(checked, inner)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The site's own login page (with its throttling and one-time codes) serves the
        admin too."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")

    def logout(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        log_out(request)
        return redirect("login")

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Passwords change on the account page, through the action that ends other sessions."""
        return redirect("password-change")

    def password_change_done(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("account")


school_admin_site = SchoolAdminSite(name="admin")


def _schools(request: HttpRequest) -> QuerySet[School]:
    return policy.administered_schools(request.user)


class PolicyAdmin(admin.ModelAdmin):
    """Permission for every model follows the site permission; deleting is never allowed."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


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
        schools = _schools(request)
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
        return super().get_queryset(request).filter(school_class__school__in=_schools(request))


class GuardianOfInline(MembershipInline):
    model = Guardianship
    fk_name = "guardian"
    fields = ("student", "starts_on", "ends_on", "end_reason")
    autocomplete_fields = ("student",)
    verbose_name_plural = gettext_lazy("Is guardian of")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        students = Enrolment.objects.filter(school_class__school__in=_schools(request)).values("student")
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
        return super().get_queryset(request).filter(school_class__school__in=_schools(request))


class MentorshipInline(MembershipInline):
    model = Mentorship
    fk_name = "teacher"
    fields = ("school_class", "starts_on", "ends_on", "end_reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(school_class__school__in=_schools(request))


class StaffRoleInline(MembershipInline):
    model = StaffRole
    fk_name = "user"
    fields = ("school", "role", "starts_on", "ends_on", "end_reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(school__in=_schools(request))


# Inline rows that tie a person to a school: (formset prefix, the field naming the link).
_SCHOOL_LINKS = (
    ("enrolments", "school_class"),
    ("guardianships", "student"),
    ("teaching_assignments", "school_class"),
    ("mentorships", "school_class"),
    ("staff_roles", "school"),
)


class PersonForm(forms.ModelForm):
    # Set by PersonAdmin.get_form for school administrators, who only reach people with a
    # membership at their school: a new person without one would be lost to them.
    require_school_link = False

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "language", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and self.require_school_link and not self._has_school_link():
            raise ValidationError(
                _(
                    "Add the person to your school in the same step: a class, a guardianship, "
                    "a teaching assignment, a mentorship or a role. Otherwise you cannot reach "
                    "them again."
                ),
                code="no_school_link",
            )
        return data

    def _has_school_link(self) -> bool:
        for prefix, field in _SCHOOL_LINKS:
            try:
                rows = min(int(self.data.get(f"{prefix}-TOTAL_FORMS") or 0), 1000)
            except ValueError:
                continue
            if any(self.data.get(f"{prefix}-{row}-{field}") for row in range(rows)):
                return True
        return False

    def clean_username(self) -> str:
        """Usernames are case-insensitive: one differing from a taken one only in case is a
        form error here (the model's unique check compares exactly; the action would fail)."""
        username = people_actions.normalise_username(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("That username is already taken."), code="unique")
        return username


@admin.register(User, site=school_admin_site)
class PersonAdmin(PolicyAdmin):
    form = PersonForm
    list_display = ("display_name", "username", "email", "is_active")
    list_display_links = ("display_name", "username")
    search_fields = ("first_name", "last_name", "username", "email")
    list_filter = ("is_active",)
    ordering = ("last_name", "first_name")
    inlines = [
        EnrolmentInline,
        GuardiansInline,
        GuardianOfInline,
        TeachingInline,
        MentorshipInline,
        StaffRoleInline,
    ]
    change_form_template = "admin/accounts/person_change_form.html"

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def display_name(self, person: User) -> str:
        return person.display_name

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return policy.administered_people(request.user).order_by("last_name", "first_name")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"require_school_link": not request.user.is_superuser})

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        people_actions.save_person(request.user, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for membership in formset.save(commit=False):
            membership_actions.save_membership(request.user, membership)

    def get_urls(self) -> list:
        return [
            path(
                "<int:person_id>/password/",
                self.admin_site.admin_view(self.set_password_view),
                name="accounts_user_password",
            ),
            *super().get_urls(),
        ]

    def set_password_view(self, request: HttpRequest, person_id: int) -> HttpResponse:
        """Set a new password for someone (students often have no e-mail to reset with)."""
        person = self.get_queryset(request).filter(pk=person_id).first()
        if person is None:
            raise Http404
        form = SetPasswordForm(person, request.POST or None)
        if request.method == "POST" and form.is_valid():
            people_actions.set_password_for(request.user, person, form.cleaned_data["new_password1"])
            messages.success(
                request,
                _("The password was changed. Every session of %(name)s has ended.") % {"name": person},
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[person.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set password: %(name)s") % {"name": person},
            "form": form,
            "person": person,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/accounts/set_password.html", context)


class SchoolScopedAdmin(PolicyAdmin):
    school_path = "school"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(**{f"{self.school_path}__in": _schools(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is School:
            kwargs["queryset"] = _schools(request)
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
        return _schools(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser and self.admin_site.has_permission(request))

    def save_model(self, request: HttpRequest, obj: School, form: Any, change: bool) -> None:
        structure_actions.save_school(request.user, obj)


class ReadOnlyAdmin(PolicyAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


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
