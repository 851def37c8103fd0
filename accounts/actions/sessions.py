"""Ending sessions: password change and "log out everywhere"."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.actions.login import login_blocked_until, record_password_check
from accounts.models import User


def change_own_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change one's own password. Every session of the user stops verifying (the session
    hash covers the password); the view keeps the current one alive with a new key.

    A wrong current password counts as a failed login for the username, so a borrowed
    session cannot be used to guess the password (and take the account over) without limit.
    """
    if login_blocked_until(user.username, None) is not None:
        raise ValidationError(
            {"current_password": _("Too many wrong passwords. Wait a while and try again.")}
        )
    if not user.check_password(current_password):
        record_password_check(user.username, None, succeeded=False)  # kept: no transaction
        raise ValidationError({"current_password": _("Your current password was not correct.")})
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])


@transaction.atomic
def log_out_everywhere(user: User) -> None:
    """End every session of the user, on every device, including the current one."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


@transaction.atomic
def set_language(user: User, language: str) -> None:
    if language not in dict(User._meta.get_field("language").choices or []):
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
