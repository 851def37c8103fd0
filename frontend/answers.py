"""How an action's error becomes an answer over HTTP: the one place for JSON, for error pages,
for messages at the top of a page and for forms that come back.

Every action raises the family of ``accounts.errors``; a view either catches it to show a form
again (``form_failure``) or lets it through, and ``ActionErrorMiddleware`` answers it:
``{"error": {"code": ..., "message": ...}}`` with the error's status for scripts, the site's
own error page otherwise (a ``NotFound`` is Django's 404 and a ``Forbidden`` its 403, both
drawn by ``frontend.views.errors``), and a door's ``StrongLoginNeeded`` as the step-up asks
(``frontend.stepup``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.errors import ActionError, Forbidden, NotFound, Refused, SensitiveText, StrongLoginNeeded
from frontend.requests import wants_json
from writing.guard import findings_payload

T = TypeVar("T")


def json_error(error: ActionError) -> JsonResponse:
    """The one JSON shape of an error. The guard's findings come along, per field, so that the
    script can mark the words; so do the error's plain details (where to confirm a login,
    how long to wait), as in the socket's error frame (``writing.frames.answer_frame``)."""
    body: dict[str, Any] = {
        **{key: value for key, value in error.details.items() if isinstance(value, str | int | float)},
        "code": error.code,
        "message": error.message,
    }
    if isinstance(error, SensitiveText):
        body["findings"] = {name: findings_payload(found) for name, found in error.by_field.items()}
    return JsonResponse({"error": body}, status=error.status)


def error_page(request: HttpRequest, error: ActionError) -> HttpResponse:
    return render(
        request,
        "frontend/error.html",
        {"status": error.status, "message": error.message},
        status=error.status,
    )


def flash_error(request: HttpRequest, error: ActionError) -> None:
    """Say why at the top of the next page (for one-button forms that go back to a page)."""
    messages.error(request, error.message)


@contextmanager
def forbidden_looks_missing() -> Iterator[None]:
    """For forms shown only to those who may send them: anyone else who reads the page gets
    the outsiders' 404 rather than a 403 that would say the form exists."""
    try:
        yield
    except Forbidden:
        raise NotFound from None


def one_button(
    request: HttpRequest,
    act: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    back: str,
    back_when_refused: str | None = None,
) -> HttpResponse:
    """A form of one button (approve, cancel a time, book): run the action, then go back to
    ``back`` saying ``done`` (or what ``done`` makes of the result), or why it was refused
    (to ``back_when_refused``, when that differs)."""
    try:
        result = act()
    except Refused as error:
        flash_error(request, error)
        return redirect(back_when_refused or back)
    messages.success(request, done(result) if callable(done) else done)
    return redirect(back)


def refused_back(request: HttpRequest, error: ActionError, back: str) -> HttpResponse:
    """A refusal of a form that goes back to a page: JSON for the page's script, otherwise
    back to ``back`` with the reason said at the top."""
    if wants_json(request):
        return json_error(error)
    flash_error(request, error)
    return redirect(back)


@dataclass
class FormFailure:
    """What a form that comes back shows: the reason, the field it concerns (if one), and the
    guard's findings (for the whole text and per field) with a "save anyway" choice."""

    message: str
    code: str
    field_name: str | None = None
    guarded: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)
    findings_by_field: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def form_failure(error: ActionError, *, guard_message: str = "") -> FormFailure:
    """The one mapping of an error to a form that comes back. ``guard_message`` replaces the
    guard's general explanation where the place needs its own (the class blog)."""
    if isinstance(error, SensitiveText):
        return FormFailure(
            message=guard_message or error.message,
            code=error.code,
            guarded=True,
            findings=findings_payload(error.findings),
            findings_by_field={name: findings_payload(found) for name, found in error.by_field.items()},
        )
    return FormFailure(message=error.message, code=error.code, field_name=getattr(error, "field", None))


def add_to_form(form: forms.Form, error: Refused) -> None:
    """Show a refusal on a Django form: at the field it names, or above the form."""
    for message in error.messages:
        form.add_error(error.field if error.field in form.fields else None, message)


class ActionErrorMiddleware:
    """Answers an action's error that a view let through: JSON for scripts, otherwise the site's
    error page (Django draws 404 and 403 itself, with ``frontend.views.errors``); a strong
    login that is needed, with the step-up (its page, or the JSON error naming it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ActionError):
            return None
        if isinstance(exception, StrongLoginNeeded):
            # A door asks for a strong login (an archive opened as the school): the step-up's
            # own answer. Imported here: the step-up answers scripts with ``json_error``.
            from frontend.stepup import ask_for_strong_login

            return ask_for_strong_login(request)
        if wants_json(request):
            return json_error(exception)
        if isinstance(exception, NotFound | Forbidden):
            return None  # Django's own 404/403 handling, with the site's pages
        return error_page(request, exception)
