"""Written assessments (skriftliga omdömen), the form each school gives them, and the
teacher's bank of reusable phrases.

A published assessment is never changed: a correction is a new version that names the one
it corrects, and both stay on the page (the page is a public record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import School, SchoolYear, Subject
from dialogue.models.messages import Message
from writing.rendering import markdown_html

MAX_ASSESSMENT_TEXT = 4000
MAX_PHRASE_LENGTH = 500


class AssessmentForm(models.Model):
    """What a school's written assessments contain and how often they are given. The
    principal decides (DOMAIN.md); a school without a row uses the default: a knowledge
    level per area of the subject plus the two texts, once per school year."""

    class Period(models.TextChoices):
        YEAR = "year", _("Once per school year")
        TERM = "term", _("Once per term")

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="assessment_form")
    use_levels = models.BooleanField(_("knowledge level per area"), default=True)
    period = models.CharField(_("how often"), max_length=4, choices=Period.choices, default=Period.YEAR)
    # Who changed it last; cleared (the form stays, it is the school's) if that account is removed.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment form")
        verbose_name_plural = _("assessment forms")

    def __str__(self) -> str:
        return str(self.school)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Level(models.TextChoices):
        NOT_YET = "not_yet", _("Not yet acceptable")
        ACCEPTABLE = "acceptable", _("Acceptable")
        MORE = "more", _("More than acceptable")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    # "" when the school assesses once per school year; "HT" or "VT" when once per term.
    term = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveSmallIntegerField(default=1)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    use_levels = models.BooleanField(default=True)
    # {"<area id>": "<level>"} for the subject's curriculum areas.
    levels = models.JSONField(default=dict, blank=True)
    can_text = models.TextField(_("what the student can"), blank=True)
    develop_text = models.TextField(_("how the student develops further"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The card in the subject's thread (set when published).
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("written assessment")
        verbose_name_plural = _("written assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "school_year", "term"],
                condition=Q(status="draft"),
                name="one_assessment_draft_per_period",
            ),
            models.UniqueConstraint(
                fields=["student", "subject", "school_year", "term", "version"],
                name="assessment_version_unique_per_period",
            ),
        ]
        indexes = [models.Index(fields=["student", "subject", "status"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.school_year} v{self.version} ({self.student})"

    @property
    def can_html(self) -> SafeString:
        return markdown_html(self.can_text)

    @property
    def develop_html(self) -> SafeString:
        return markdown_html(self.develop_text)

    @property
    def period_label(self) -> str:
        return f"{self.term} {self.school_year.label}" if self.term else self.school_year.label


class Phrase(models.Model):
    """A teacher's reusable phrase for assessment texts (a personal tool, not page text)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=MAX_PHRASE_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:40]
