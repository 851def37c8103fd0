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
