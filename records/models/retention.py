"""Retention (gallring) as data: the municipality's document management plan
(dokumenthanteringsplan) sets how long each kind of record is kept, and changes it here,
never in code. The purge log records that a purge happened, without personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    class AppliesTo(models.TextChoices):
        # Everything about a student, counted from the day the student left grundskola.
        STUDENT_RECORDS = "student_records", _("A student's records, after leaving")
        # A class blog, counted from the end of its school year.
        CLASS_BLOGS = "class_blogs", _("Class blogs, after their school year")

    applies_to = models.CharField(_("applies to"), max_length=30, choices=AppliesTo.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("kept for (years)"))
    # Where the rule comes from: the plan's name and section, for the archive's inspector.
    basis = models.CharField(_("decided in"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.get_applies_to_display()}: {self.years}"


class PurgeLog(models.Model):
    """One purge run of one rule: when, which rule, how many subjects, and per record kind
    how many rows. No names, no ids of people."""

    at = models.DateTimeField(_("purged at"), auto_now_add=True)
    rule = models.CharField(_("rule"), max_length=30, choices=RetentionRule.AppliesTo.choices)
    years = models.PositiveSmallIntegerField(_("kept for (years)"))
    subjects = models.PositiveIntegerField(_("students or blogs removed"))
    counts = models.JSONField(_("rows removed per record kind"), default=dict)
    files = models.PositiveIntegerField(_("files removed"), default=0)

    class Meta:
        verbose_name = _("purge log entry")
        verbose_name_plural = _("purge log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.rule} {self.at:%Y-%m-%d}: {self.subjects}"
