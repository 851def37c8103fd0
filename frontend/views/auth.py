"""Logging in and out, with the one-time-password step."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.actions.login import BlockScope, LoginBlock, authenticate_with_password
from accounts.actions.otp import is_verified, otp_requirement, verify_login_code
from accounts.actions.sessions import log_out
from accounts.models import User
from accounts.saml.providers import login_choices
from frontend.forms import LoginForm, OtpCodeForm
from frontend.requests import redirect_to_next, safe_next  # the one check of ``next``
from frontend.views import saml_logout
from frontend.views.language import remember_language


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _until(moment: datetime.datetime) -> str:
    """When a block ends, in the school's time zone: the time alone today, else the date too
    (Swedish "kl. 14:05" / "3 december kl. 00:05")."""
    local = timezone.localtime(moment)
    time = time_format(local, "H:i")
    if local.date() == timezone.localdate():
        return pgettext("login paused until", "%(time)s") % {"time": time}
    return pgettext("login paused until", "%(date)s, %(time)s") % {
        "date": date_format(local, "j F"),
        "time": time,
    }


def blocked_message(block: LoginBlock) -> str:
    """Says what is paused (this account, or every login from this address) and until when."""
    if block.scope is BlockScope.ADDRESS:
        message = _(
            "Too many failed logins from your network address. For your security, every login "
            "from this address is paused until %(until)s, whichever account it is for. "
            "Ask your school if you need help."
        )
    else:
        message = _(
            "Too many failed attempts for this username. For your security, logging in to this "
            "account is paused until %(until)s, from every device. Ask your school if you have "
            "forgotten your password."
        )
    return message % {"until": _until(block.until)}


def after_first_factor(user: User, next_url: str) -> HttpResponse:
    """Where a person goes once logged in without a second factor (a password, or an e-ID
    or school-account login below level of assurance 3): the code step when they have an
    authenticator, setting one up when their part requires it, else ``next_url`` (already
    checked by ``safe_next``). The answer sets the language cookie to the person's language."""
    response: HttpResponse
    requirement = otp_requirement(user)
    if requirement.enrolled:
        response = redirect(_with_next("otp-verify", next_url))
    elif requirement.mandatory:
        response = redirect(_with_next("otp-setup", next_url))
    else:
        response = HttpResponseRedirect(next_url)
    remember_language(response, user.language)
    return response


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect_to_next(request)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = authenticate_with_password(
            request, form.cleaned_data["username"], form.cleaned_data["password"]
        )
        if outcome.block is not None:
            form.add_error(None, blocked_message(outcome.block))
        elif outcome.user is None:
            form.add_error(None, _("The username or password was not correct."))
        else:
            login(request, outcome.user)  # rotates the session key
            return after_first_factor(outcome.user, safe_next(request))
    status = 400 if form.errors else 200
    return render(
        request,
        "frontend/login.html",
        # The form posts to the bare URL: after a mistake, keep ``next`` from the posted form.
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "saml_choices": login_choices(),
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    at_provider = saml_logout.provider_logout_location(request)  # read before the session ends
    log_out(request)  # flushes the session on the server and closes its sockets
    if at_provider:
        return saml_logout.continue_at_provider(request, at_provider)
    return redirect("login")


def accept_login_code(request: HttpRequest, user: User, form: OtpCodeForm) -> bool:
    """Check the valid form's code (authenticator or recovery code) for ``user``. Accepted:
    the session is verified, its strong login recorded and its key rotated. Not: the form
    gets the reason (a wrong or used code, or how long to wait after too many)."""
    outcome = verify_login_code(request, user, form.cleaned_data["code"])
    if outcome.verified:
        request.session.cycle_key()
        return True
    if outcome.locked_until is not None:
        seconds = max(1, int((outcome.locked_until - timezone.now()).total_seconds()) + 1)
        form.add_error(
            "code",
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second and try again.",
                "Too many wrong codes. Wait %(seconds)d seconds and try again.",
                seconds,
            )
            % {"seconds": seconds},
        )
    else:
        form.add_error("code", _("That code was not correct or has already been used."))
    return False


@sensitive_post_parameters("code")
@never_cache
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if is_verified(request.user):
        return redirect_to_next(request)
    requirement = otp_requirement(request.user)
    if not requirement.enrolled:
        return redirect("otp-setup") if requirement.mandatory else redirect_to_next(request)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and accept_login_code(request, request.user, form):
        return redirect_to_next(request)
    return render(
        request,
        "frontend/otp_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )
