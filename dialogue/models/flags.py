"""Texts that the sensitive-text guard warned about and that were saved anyway."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from dialogue.models.pages import StudentPage


class FlaggedText(models.Model):
    """A record for the principal's review list. ``text`` keeps what was written when it
    was flagged (the source may be edited later); ``findings`` the guard's findings as a
    list of {"category", "term", "matched"}."""

    class Source(models.TextChoices):
        MESSAGE = "message", _("Message")
        MESSAGE_EDIT = "message_edit", _("Edited message")
        ASSESSMENT = "assessment", _("Written assessment")
        GOAL = "goal", _("Goal")
        GOAL_REFLECTION = "goal_reflection", _("Reflection on a goal")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        TALK = "talk", _("Development talk")
        ACTION_PROGRAMME = "action_programme", _("Action programme")
        BLOG_POST = "blog_post", _("Class blog post")
        BLOG_COMMENT = "blog_comment", _("Comment on the class blog")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    page = models.ForeignKey(StudentPage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=30, choices=Source.choices)
    source_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    findings = models.JSONField()
    flagged_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("flagged text")
        verbose_name_plural = _("flagged texts")
        indexes = [models.Index(fields=["school", "reviewed_at", "flagged_at"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.source_id}"
