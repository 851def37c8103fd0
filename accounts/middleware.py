"""Login-state middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django_otp.middleware import OTPMiddleware

from accounts.actions.otp import is_verified, otp_requirement
from accounts.actions.strength import carry_session_strength, session_is_assured

# Pages a logged-in user may reach before passing the one-time-password step. The service
# worker and the web app manifest hold nothing about anyone; the browser fetches them for
# every page, the code page included.
OTP_EXEMPT_URL_NAMES = frozenset(
    {"otp-verify", "otp-setup", "logout", "set-language", "service-worker", "web-manifest"}
)


class VerificationMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()`` is true once the session
    passed the code step), where an assured e-ID or school-account login (level of assurance
    3 or higher, ``accounts.actions.strength``) also counts as the session's second factor.
    The user also carries whether the session has a recent strong login
    (``carry_session_strength``), for the doors that ask it without the request (an
    archive opened as the school, ``dialogue.doors``)."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        user = super()._verify_user_sync(request, user)
        if user.is_authenticated:
            _carry_strength(request, user)
        return user

    async def _verify_user_async_via_auser(self, request: HttpRequest, auser: Any) -> Any:
        user = await super()._verify_user_async_via_auser(request, auser)
        if user.is_authenticated:
            _carry_strength(request, user)
        return user


def _carry_strength(request: HttpRequest, user: Any) -> None:
    if session_is_assured(request.session):
        user.is_verified = _always_verified
    carry_session_strength(user, request.session)


def _always_verified() -> bool:
    return True


class RequireOTPMiddleware:
    """Default deny: a logged-in user who must use one-time passwords and has not verified
    this session reaches nothing but the OTP pages, logout, the language switch, and the
    service worker and manifest (OTP_EXEMPT_URL_NAMES).

    Staff without an authenticator are sent to enrolment; anyone with one, to verification.
    Must come after ``VerificationMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not is_verified(user)
            and not request.path.startswith(self.static_prefix)
            and not self._exempt(request.path_info)
        ):
            requirement = otp_requirement(user)
            if requirement.enrolled:
                return redirect("otp-verify")
            if requirement.mandatory:
                return redirect("otp-setup")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        try:
            return resolve(path).url_name in OTP_EXEMPT_URL_NAMES
        except Resolver404:
            return False
