"""The user model: one account per person, whatever roles the person has.

Roles are not stored on the user. Whether someone is a student, guardian, teacher or
principal follows from their dated memberships (``accounts.models.memberships``), so a
teacher whose own child attends the school is simply both.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [("sv", "Svenska"), ("en", "English")]


class User(AbstractUser):
    """A person who can log in. Students may have no e-mail address."""

    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="sv")
    # Bumped by "log out everywhere": part of the session hash, so every existing session
    # (in browsers and on open WebSockets) stops verifying at once.
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
