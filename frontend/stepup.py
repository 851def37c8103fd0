"""The step-up: the sensitive actions (opening an archive, producing an export, reviewing and
releasing a public record) need a strong login (a one-time code, or an e-ID or school account
at level of assurance 3 or higher) within ``STRONG_LOGIN_MAX_AGE_SECONDS``, and ask for one
on the step-up page (``/login/confirm/``) when it is missing or older.

One way for every sensitive view: ``strong_login_required`` on a view where every request is
sensitive. What is sensitive only sometimes (every part of an archived student's page, opened
as the school) is decided by its door (``dialogue.doors``), which raises
``accounts.errors.StrongLoginNeeded`` after deciding that the viewer may see the thing and
before its opening is recorded; ``frontend.answers.ActionErrorMiddleware`` answers it with
``ask_for_strong_login``. Either way:

* a person who may not see the thing gets the outsiders' 404, never a prompt that would tell
  them it exists (``may_see`` runs first);
* a page (GET) sends the person to the step-up page, which comes back to the same URL;
* a form (POST) does nothing: the person is sent to the step-up page, which comes back to the
  page the form was on (its Referer, when that is on this site, else ``back``), where nothing
  already saved has changed and the form can be sent again;
* a page's script (``Accept: application/json``) gets the one JSON error shape, 403, with
  the step-up page's URL in ``step_up_url``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.actions.strength import has_recent_strong_login
from accounts.errors import StrongLoginNeeded
from frontend.answers import json_error
from frontend.requests import safe_referer, wants_json

View = TypeVar("View", bound=Callable[..., HttpResponse])
# Where a refused form sends the person after the step-up when its page is not known: a
# function of the request and the view's URL arguments, giving a URL.
Back = Callable[..., str]
# Raises ``NotFound`` for a person who may not see what the view shows (the view's own
# access check, run before the step-up is asked for): a function of the request and the
# view's URL arguments.
MaySee = Callable[..., Any]


def step_up_url(next_url: str) -> str:
    """The step-up page, coming back to ``next_url`` (a path on this site)."""
    return f"{reverse('step-up')}?{urlencode({'next': next_url})}"


def ask_for_strong_login(request: HttpRequest, *, back: str | None = None) -> HttpResponse:
    """The answer that asks for a strong login (see the module's docstring), for a view
    (``strong_login_required``) or a door's ``StrongLoginNeeded``
    (``frontend.answers.ActionErrorMiddleware``). ``back``: the page a refused form goes
    back to after the step-up when its Referer is missing or not on this site (by default
    the start page). Precondition: the person is logged in and may see what is asked for."""
    if request.method in ("GET", "HEAD"):
        next_url = request.get_full_path()
    else:
        next_url = safe_referer(request) or back or reverse("start")
    url = step_up_url(next_url)
    if wants_json(request):
        return json_error(StrongLoginNeeded(step_up_url=url))
    return HttpResponseRedirect(url)


def strong_login_required(
    view: View | None = None, *, may_see: MaySee | None = None, back: Back | None = None
) -> Any:
    """A view that needs a recent strong login. Put it inside ``login_required``; give
    ``may_see`` when the view checks access itself (404 for those who may not), so that the
    check is made before the step-up is asked for. With a recent strong login the view runs
    as it is (its own check then runs once)."""

    def decorate(inner: View) -> View:
        @wraps(inner)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if has_recent_strong_login(request.session):
                return inner(request, *args, **kwargs)
            if may_see is not None:
                may_see(request, *args, **kwargs)
            return ask_for_strong_login(request, back=back(request, *args, **kwargs) if back else None)

        return wrapped  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate
