"""Logging in and out, with the one-time-password step."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.actions.login import authenticate_with_password
from accounts.actions.otp import is_verified, otp_requirement, verify_login_code
from accounts.actions.sessions import log_out
from frontend.forms import LoginForm, OtpCodeForm
from frontend.requests import redirect_to_next, safe_next  # the one check of ``next``
from frontend.views.language import remember_language


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


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
        if outcome.blocked_until is not None:
            local = timezone.localtime(outcome.blocked_until)
            same_day = local.date() == timezone.localdate()
            form.add_error(
                None,
                _(
                    "Too many failed attempts. For your security, logging in to this account "
                    "is paused until %(time)s. Ask your school if you have forgotten your password."
                )
                % {"time": time_format(local, "H:i") if same_day else date_format(local, "j F H:i")},
            )
        elif outcome.user is None:
            form.add_error(None, _("The username or password was not correct."))
        else:
            login(request, outcome.user)  # rotates the session key
            next_url = safe_next(request)
            response: HttpResponse
            requirement = otp_requirement(outcome.user)
            if requirement.enrolled:
                response = redirect(_with_next("otp-verify", next_url))
            elif requirement.mandatory:
                response = redirect(_with_next("otp-setup", next_url))
            else:
                response = HttpResponseRedirect(next_url)
            remember_language(response, outcome.user.language)
            return response
    status = 400 if form.errors else 200
    return render(
        request,
        "frontend/login.html",
        # The form posts to the bare URL: after a mistake, keep ``next`` from the posted form.
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    log_out(request)  # flushes the session on the server and closes its sockets
    return redirect("login")


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
    if request.method == "POST" and form.is_valid():
        outcome = verify_login_code(request, request.user, form.cleaned_data["code"])
        if outcome.verified:
            request.session.cycle_key()
            return redirect_to_next(request)
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
    return render(
        request,
        "frontend/otp_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )
