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


class SecurityMarking(models.TextChoices):
    """SS 12000's ``securityMarking`` (skyddade personuppgifter), with the standard's values."""

    NONE = "Ingen", _("None")
    CONFIDENTIAL = "Sekretessmarkering", _("Confidentiality marking")
    PROTECTED_REGISTRATION = "Skyddad folkbokföring", _("Protected population registration")


class User(AbstractUser):
    """A person who can log in. Students may have no e-mail address."""

    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="sv")
    # Bumped by "log out everywhere": part of the session hash, so every existing session
    # (in browsers and on open WebSockets) stops verifying at once.
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)
    # Twelve digits (``accounts.civic``), set by the roster sync or a school administrator;
    # what an e-ID login matches on. Shown only to school administrators and the registrar.
    civic_number = models.CharField(
        _("civic number"), max_length=12, unique=True, null=True, blank=True, editable=False
    )
    # The register's ``securityMarking``: a protected person's name and class are shown only
    # to those who need them (``accounts.policy.identities``).
    security_marking = models.CharField(
        _("protected personal data"),
        max_length=30,
        choices=SecurityMarking.choices,
        default=SecurityMarking.NONE,
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_protected(self) -> bool:
        """Whether the person has protected personal data (either marking)."""
        return self.security_marking != SecurityMarking.NONE

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SchoolAccountName(models.Model):
    """An identifier of the person's account in the school federation (the register's
    ``eduPersonPrincipalNames``): what a school-account login matches on. A person may have
    several; each belongs to one person."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="school_account_names", verbose_name=_("person")
    )
    name = models.CharField(_("school account"), max_length=254, unique=True)

    class Meta:
        verbose_name = _("school account")
        verbose_name_plural = _("school accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
