"""A record of login attempts: the basis for throttling and for the security log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginAttempt(models.Model):
    """One password login attempt. ``username`` is stored as typed (normalised), whether or
    not such a user exists, so throttling never reveals which usernames are real."""

    username = models.CharField(_("username"), max_length=150)
    address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    succeeded = models.BooleanField(_("succeeded"))

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["address", "at"]),
        ]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {outcome}"


class SeenAssertion(models.Model):
    """A SAML assertion this service accepted, kept until it expires so that the same
    assertion posted again (a replay) is refused. It names no person: only the assertion's
    id and its issuer."""

    assertion_id = models.CharField(_("assertion id"), max_length=255, unique=True)
    issuer = models.CharField(_("identity provider"), max_length=1024)
    not_on_or_after = models.DateTimeField(_("valid until"), db_index=True)

    class Meta:
        verbose_name = _("accepted SAML assertion")
        verbose_name_plural = _("accepted SAML assertions")

    def __str__(self) -> str:
        return self.assertion_id
