"""The access log: who opened which student's records, as whom, when and how. Never what
was read.

One row per opening, written at the one door (``accounts.openings``). Append-only: the app
offers no edit or removal, and on PostgreSQL a trigger refuses UPDATE and DELETE unless the
purge (which removes a student's log with the student's page) says it is running.

The log refers to people without foreign-key constraints: it outlives neither the page it
concerns (the purge removes both) nor needs to stop an account's removal; a reader whose
account is gone is shown as such.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Opening(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        GUARDIAN = "guardian", _("Guardian")
        TEACHER = "teacher", _("Teacher")
        MENTOR = "mentor", _("Mentor")
        PRINCIPAL = "principal", _("Principal")
        REGISTRAR = "registrar", _("Registrar")

    class Channel(models.TextChoices):
        PAGE = "page", _("Web page")
        SOCKET = "socket", _("Live connection")
        NOTIFICATION = "notification", _("Notification link")

    at = models.DateTimeField(_("opened at"), default=timezone.now)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    role = models.CharField(_("as"), max_length=20, choices=Role.choices)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("student"),
    )
    # A noun ("page", "thread", "attachment", "assessment", "archive", "export", ...) and the
    # id of the thing, when it has one.
    what = models.CharField(_("what"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("which one"), null=True, blank=True)
    channel = models.CharField(_("through"), max_length=20, choices=Channel.choices, default=Channel.PAGE)

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        indexes = [
            models.Index(fields=["student", "-at"], name="opening_by_student"),
            models.Index(fields=["viewer", "at"], name="opening_by_viewer"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.student_id} {self.what} {self.at:%Y-%m-%d %H:%M}"


class ReviewMark(models.Model):
    """The principal's mark that an opening, or one person's volume of openings on one day,
    was looked at, with a note. Kept apart from the log, which is never changed."""

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="+")
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # For a volume finding: the person and the day.
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    day = models.DateField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review mark")
        verbose_name_plural = _("review marks")
        constraints = [
            models.UniqueConstraint(fields=["school", "opening"], name="one_mark_per_opening"),
            models.UniqueConstraint(fields=["school", "viewer", "day"], name="one_mark_per_volume"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.opening_id or self.day} ({self.checked_at:%Y-%m-%d})"
