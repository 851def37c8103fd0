"""The student's goals (the IUP's mål), reflections on them, and self-assessments.

Nothing here is ever deleted (the page is a public record): a declined proposal stays with
who declined it and why, a change of a goal's text or status keeps the earlier version as a
revision, and a goal that is revised may be replaced by a new goal that names it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import CurriculumArea, Subject
from dialogue.models.messages import Message
from writing.rendering import markdown_html

MAX_GOAL_TEXT = 1000
MAX_REFLECTION_TEXT = 2000
MAX_DECLINE_REASON = 500
MAX_SELF_ASSESSMENT_TEXT = 2000


class Goal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        REACHED = "reached", _("Reached")
        REVISED = "revised", _("Revised")
        DECLINED = "declined", _("Declined")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # None: a general goal (its card is in the general thread).
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey(
        CurriculumArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("goal"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    # Who wrote the goal first: the teacher who set it, or the student or guardian who proposed it.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    proposed = models.BooleanField(default=False)
    # The teacher's decision on a proposal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    # Who wrote the current version (text and status) and when; earlier ones are revisions.
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()
    # The revised goal this one replaces.
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    # The card in the subject's (or the general) thread.
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(subject__isnull=False), name="goal_area_needs_subject"
            ),
        ]
        indexes = [models.Index(fields=["student", "status"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def text_html(self) -> SafeString:
        return markdown_html(self.text)

    @property
    def decline_reason_html(self) -> SafeString:
        return markdown_html(self.decline_reason)


class GoalRevision(models.Model):
    """A goal as it was before a change of its text, status, area or target date."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="revisions")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Goal.Status.choices)
    area = models.ForeignKey(
        CurriculumArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_date = models.DateField(null=True, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["replaced_at", "pk"]

    def __str__(self) -> str:
        return f"{self.goal_id} before {self.replaced_at:%Y-%m-%d %H:%M}"

    @property
    def text_html(self) -> SafeString:
        return markdown_html(self.text)


class GoalReflection(models.Model):
    """The student's own thoughts about a goal (only the student writes them)."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reflections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def text_html(self) -> SafeString:
        return markdown_html(self.text)


class SelfAssessment(models.Model):
    """The student rates themself against one of their goals, or against a subject (or an
    area of it), on a three-step scale a child understands, with their own words."""

    class Level(models.TextChoices):
        NEEDS_HELP = "needs_help", _("I need more help")
        FAIRLY_WELL = "fairly_well", _("It is going fairly well")
        WELL = "well", _("It is going well")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The subject of the goal, or the subject assessed (with an optional area of it).
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey(
        CurriculumArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.CharField(max_length=12, choices=Level.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            # About a goal, or about a subject (general goals have no subject).
            models.CheckConstraint(
                condition=Q(goal__isnull=False) | Q(subject__isnull=False),
                name="self_assessment_has_a_target",
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(subject__isnull=False),
                name="self_assessment_area_needs_subject",
            ),
        ]
        indexes = [models.Index(fields=["student", "created_at"])]

    def __str__(self) -> str:
        return f"{self.student_id} {self.level} {self.created_at:%Y-%m-%d}"

    @property
    def text_html(self) -> SafeString:
        return markdown_html(self.text)
