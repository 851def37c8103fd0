"""The student's page and its threads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Subject


class StudentPage(models.Model):
    """One page per student, kept for the whole schooling (and five years after).

    ``last_seq`` is the page's event counter: every change to the page's dialogue (a
    message created, edited or retracted) takes the next number while holding a lock on
    this row, so numbers are gapless and commit in order. Clients resume from the last
    number they saw.
    """

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="student_page"
    )
    last_seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("student page")
        verbose_name_plural = _("student pages")

    def __str__(self) -> str:
        return str(self.student)


class Thread(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General")
        SUBJECT = "subject", _("Subject")
        DEVELOPMENT_TALK = "talk", _("Development talk")
        ACTION_PROGRAMME = "action_programme", _("Action programme")

    page = models.ForeignKey(StudentPage, on_delete=models.PROTECT, related_name="threads")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        constraints = [
            models.UniqueConstraint(
                fields=["page"], condition=Q(kind="general"), name="one_general_thread_per_page"
            ),
            models.UniqueConstraint(
                fields=["page", "subject"], condition=Q(kind="subject"), name="one_thread_per_subject"
            ),
            models.CheckConstraint(
                condition=Q(kind="subject", subject__isnull=False) | ~Q(kind="subject"),
                name="subject_thread_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.kind == self.Kind.SUBJECT and self.subject is not None:
            return self.subject.name
        if self.kind == self.Kind.DEVELOPMENT_TALK and self.title:
            # The title is the talk's time (language-neutral); the kind says what it is.
            return f"{self.get_kind_display()} {self.title}"
        if self.title:
            return self.title
        return str(self.get_kind_display())
