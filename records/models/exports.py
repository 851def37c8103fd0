"""A personal data export (GDPR articles 15 and 20): asked for in the app, built by the
worker, downloadable by whoever asked for seven days."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    class Scope(models.TextChoices):
        STUDENT = "student", _("Everything about a student")
        PERSON = "person", _("Everything about a person")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    # Whom the export is about (the student, or the person themselves).
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A registrar's export for a request received by post: the request's reference.
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    language = models.CharField(max_length=8, default="sv")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.CharField(max_length=200, blank=True)  # name in private storage
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Builds started: a worker that dies mid-build leaves its lease to run out and the next
    # one starts again; after a few the export fails rather than crash every worker in turn.
    attempts = models.PositiveSmallIntegerField(default=0)
    # A person export has no student's access log to record its download in: the export
    # itself counts them (a student export counts them too, beside its access-log rows).
    downloads = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    IN_PROGRESS = (Status.QUEUED, Status.BUILDING)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-created_at"]
        constraints = [
            # One export in progress per requester, subject and scope: a second ask (two tabs,
            # a double click) finds the running one instead of building the same ZIP twice.
            models.UniqueConstraint(
                fields=["requested_by", "subject", "scope"],
                condition=models.Q(status__in=["queued", "building"]),
                name="one_export_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} #{self.pk} ({self.status})"
