"""Ending sessions: password change and "log out everywhere"."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, logout
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts import events
from accounts.actions.login import login_block, record_password_check
from accounts.errors import Refused, refusing
from accounts.models import User


def change_own_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change one's own password. Every session of the user stops verifying (the session
    hash covers the password); the view keeps the current one alive with a new key.

    A wrong current password counts as a failed login for the username, so a borrowed
    session cannot be used to guess the password (and take the account over) without limit.
    """
    if login_block(user.username, None) is not None:
        raise Refused(
            "blocked", _("Too many wrong passwords. Wait a while and try again."), field="current_password"
        )
    if not user.check_password(current_password):
        record_password_check(user.username, None, succeeded=False)  # kept: no transaction
        raise Refused("wrong_password", _("Your current password was not correct."), field="current_password")
    with refusing("weak_password", field="new_password"):
        validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        events.recheck_sessions(user.pk)


@transaction.atomic
def log_out_everywhere(user: User) -> None:
    """End every session of the user, on every device, including the current one."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    events.recheck_sessions(user.pk)


def log_out(request: HttpRequest) -> None:
    """End this session on the server, and close the sockets opened with it."""
    user_id = request.user.pk
    logout(request)
    if user_id is not None:
        events.recheck_sessions(user_id)


@transaction.atomic
def set_language(user: User, language: str) -> None:
    if language not in dict(User._meta.get_field("language").choices or []):
        raise Refused("unknown_language", _("Unknown language."), field="language")
    user.language = language
    user.save(update_fields=["language"])


def session_still_valid(session_key: str | None, user_id: int) -> bool:
    """Whether a stored session still logs in this user: it exists, names the user, and
    its hash matches the user's current one (a password change or "log out everywhere"
    changes the hash). For long-lived connections that authenticated once."""
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or str(data.get(SESSION_KEY)) != str(user_id):
        return False
    stored_hash = data.get(HASH_SESSION_KEY) or ""
    return any(
        constant_time_compare(stored_hash, candidate)
        for candidate in (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
    )
