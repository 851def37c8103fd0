"""The people of the administrator's schools: a person with the memberships that fit their
kind, and setting a password for them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import civic, policy
from accounts.actions import identity as identity_actions
from accounts.actions import memberships as membership_actions
from accounts.actions import people as people_actions
from accounts.admin import leaving as leaving_admin
from accounts.admin.memberships import (
    EnrolmentInline,
    GuardianOfInline,
    GuardiansInline,
    MentorshipInline,
    StaffRoleInline,
    TeachingInline,
)
from accounts.admin.site import PolicyAdmin, school_admin_site, schools_of
from accounts.errors import Refused
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    School,
    SecurityMarking,
    StaffRole,
    TeachingAssignment,
    User,
)

# The query parameter of the change page's link that shows every membership section.
SHOW_ALL_MEMBERSHIPS = "all_memberships"

# The membership sections that fit each kind of person.
SECTIONS_BY_KIND: dict[str, tuple[type[InlineModelAdmin], ...]] = {
    "student": (EnrolmentInline, GuardiansInline),
    "guardian": (GuardianOfInline,),
    "staff": (TeachingInline, MentorshipInline, StaffRoleInline),
}


def person_kinds(person: User, schools: QuerySet[School]) -> set[str]:
    """What the person is at these schools, from their memberships past or present (one
    query): "student", "guardian" and/or "staff"."""
    found = (
        User.objects.filter(pk=person.pk)
        .annotate(
            is_student=Exists(
                Enrolment.objects.filter(student=OuterRef("pk"), school_class__school__in=schools)
            ),
            is_guardian=Exists(
                Guardianship.objects.filter(
                    guardian=OuterRef("pk"), student__enrolments__school_class__school__in=schools
                )
            ),
            teaches=Exists(
                TeachingAssignment.objects.filter(teacher=OuterRef("pk"), school_class__school__in=schools)
            ),
            mentors=Exists(
                Mentorship.objects.filter(teacher=OuterRef("pk"), school_class__school__in=schools)
            ),
            has_role=Exists(StaffRole.objects.filter(user=OuterRef("pk"), school__in=schools)),
        )
        .values("is_student", "is_guardian", "teaches", "mentors", "has_role")
        .first()
    ) or {}
    kinds = set()
    if found.get("is_student"):
        kinds.add("student")
    if found.get("is_guardian"):
        kinds.add("guardian")
    if found.get("teaches") or found.get("mentors") or found.get("has_role"):
        kinds.add("staff")
    return kinds


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

    # The person's identity as the register knows it: not model fields of the form, since
    # they are written through their own actions (``accounts.actions.identity``) after the
    # person is saved. The number is never part of a URL (nor of the list's search).
    civic_number_text = forms.CharField(
        label=gettext_lazy("Civic number"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("YYYYMMDD-NNNN. Shown only to school administrators and the registrar."),
    )
    marking = forms.ChoiceField(
        label=gettext_lazy("Protected personal data"),
        choices=SecurityMarking.choices,
        initial=SecurityMarking.NONE,
        help_text=gettext_lazy(
            "The name is shown only to the person, their family and the staff who need it."
        ),
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "language", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.instance
        self.fields["marking"].initial = person.security_marking
        if person.civic_number and "civic_number_text" in self.fields:
            self.fields["civic_number_text"].initial = civic.formatted(person.civic_number)

    def clean_civic_number_text(self) -> str | None:
        """The twelve-digit form, or a form error that does not repeat the number."""
        raw = self.cleaned_data.get("civic_number_text") or ""
        if not raw.strip():
            return None
        try:
            number = identity_actions.check_civic_number(raw)
        except Refused as refusal:
            raise ValidationError(refusal.message, code="invalid_civic_number") from None
        if User.objects.filter(civic_number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another person already has that civic number."), code="civic_number_taken"
            )
        return number

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


class ProtectedFilter(admin.SimpleListFilter):
    """Who is protected (skyddade personuppgifter), either marking, or one of them."""

    title = gettext_lazy("Protected personal data")
    parameter_name = "protected"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("Yes, either marking")), *SecurityMarking.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "yes":
            return queryset.exclude(security_marking=SecurityMarking.NONE)
        if value in SecurityMarking.values:
            return queryset.filter(security_marking=value)
        return queryset


@admin.register(User, site=school_admin_site)
class PersonAdmin(PolicyAdmin):
    form = PersonForm
    list_display = ("display_name", "username", "email", "is_active", "protected")
    list_display_links = ("display_name", "username")
    # Never the civic number: a search term is part of the list's URL.
    search_fields = ("first_name", "last_name", "username", "email")
    list_filter = ("is_active", ProtectedFilter)
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

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[InlineModelAdmin]]:
        """Only the membership sections that fit the person: a student's classes and
        guardians, a guardian's children, a member of staff's teaching, mentorships and
        roles. A new person, a person with no membership here, and a page opened with
        ``?all_memberships=1`` (the page's link to add another kind) get every section."""
        if obj is None or request.GET.get(SHOW_ALL_MEMBERSHIPS):
            return list(self.inlines)
        kinds = person_kinds(obj, schools_of(request))
        if not kinds:
            return list(self.inlines)
        fitting = {section for kind in kinds for section in SECTIONS_BY_KIND[kind]}
        return [section for section in self.inlines if section in fitting]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: User | None = None,
    ) -> Any:
        hidden = change and len(context.get("inline_admin_formsets", [])) < len(self.inlines)
        context["all_memberships_url"] = f"?{SHOW_ALL_MEMBERSHIPS}=1" if hidden else ""
        if obj is not None:
            context.update(leaving_admin.leaving_context(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def display_name(self, person: User) -> str:
        return person.display_name

    @admin.display(description=gettext_lazy("Protected personal data"), ordering="security_marking")
    def protected(self, person: User) -> str:
        """The marking itself, so that the administrator sees who is protected and how."""
        return person.get_security_marking_display() if person.is_protected else ""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The civic number only for those the policy lets see it (every administrator of
        the person's school: a new person is theirs once saved with a membership)."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and not policy.may_see_civic_number(request.user, obj):
            fields.remove("civic_number_text")
        return fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """After the memberships (a new person is the administrator's only once linked to
        the school), the identity, through its actions: the marking re-checks open sockets."""
        super().save_related(request, form, formsets, change)
        person = form.instance
        shown = "civic_number_text" in self.get_fields(request, person)
        if shown and "civic_number_text" in form.cleaned_data:
            number = form.cleaned_data["civic_number_text"]
            if number != person.civic_number:
                identity_actions.set_civic_number(request.user, person, number)
        marking = form.cleaned_data.get("marking")
        if marking and marking != person.security_marking:
            identity_actions.set_security_marking(request.user, person, marking)

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
            path(
                "<int:person_id>/leaving/",
                self.admin_site.admin_view(
                    lambda request, person_id: leaving_admin.record_leaving_view(self, request, person_id)
                ),
                name="accounts_user_leaving",
            ),
            path(
                "<int:person_id>/leaving/undo/",
                self.admin_site.admin_view(
                    lambda request, person_id: leaving_admin.undo_leaving_view(self, request, person_id)
                ),
                name="accounts_user_leaving_undo",
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
