"""A student's leaving grundskola (or the installation): the start of the archive.

Moving between schools of the same installation is not leaving (the page follows the student
through its enrolments). From ``left_on`` the student's page is a read-only archive, kept
until the retention rule removes it. A leaving recorded by mistake is undone (``undone_at``)
until the purge; the row stays, so the history of the record shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Leaving(models.Model):
    class Reason(models.TextChoices):
        FINISHED = "finished", _("Finished year 9")
        MOVED_MUNICIPALITY = "moved_municipality", _("Moved to another municipality")
        MOVED_ABROAD = "moved_abroad", _("Moved abroad")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leavings", verbose_name=_("student")
    )
    left_on = models.DateField(_("left on"), help_text=_("The first day the student is no longer at school."))
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    # What the leaving ended, so that undoing it restores exactly that: one entry per
    # enrolment, with the end date and reason it had before and the date the leaving gave it
    # ({"id", "ends_on", "end_reason", "ended_on"}).
    ended_enrolments = models.JSONField(_("ended enrolments"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("leaving")
        verbose_name_plural = _("leavings")
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(undone_at__isnull=True), name="one_standing_leaving"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.left_on}"
