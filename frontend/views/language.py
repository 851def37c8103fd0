"""Switching the interface language; the choice is kept on the account."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from accounts.actions.sessions import set_language
from frontend.requests import redirect_to_next


def remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=True,
    )


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    response = redirect_to_next(request)  # back to the page, or the start page
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        set_language(request.user, language)
    remember_language(response, language)
    return response
