"""Login-state middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.actions.otp import is_verified, otp_requirement

# Pages a logged-in user may reach before passing the one-time-password step. The service
# worker and the web app manifest hold nothing about anyone; the browser fetches them for
# every page, the code page included.
OTP_EXEMPT_URL_NAMES = frozenset(
    {"otp-verify", "otp-setup", "logout", "set-language", "service-worker", "web-manifest"}
)


class RequireOTPMiddleware:
    """Default deny: a logged-in user who must use one-time passwords and has not verified
    this session reaches nothing but the OTP pages, logout, the language switch, and the
    service worker and manifest (OTP_EXEMPT_URL_NAMES).

    Staff without an authenticator are sent to enrolment; anyone with one, to verification.
    Must come after ``django_otp.middleware.OTPMiddleware``.
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
