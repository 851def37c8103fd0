"""The school administration's site: who may use it, and its login and logout.

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

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.actions.otp import is_verified
from accounts.actions.sessions import log_out
from accounts.models import School


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


def schools_of(request: HttpRequest) -> QuerySet[School]:
    """The schools the request's person administers."""
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


class ReadOnlyAdmin(PolicyAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
