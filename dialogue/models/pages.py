"""The student's page and its threads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import policy
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
        # A conversation someone started with a narrower audience than the whole page.
        PRIVATE = "private", _("Private conversation")
        SUPPORT = "support", _("Special support")

    class Audience(models.TextChoices):
        """Who reads the thread (``accounts.policy.threads``)."""

        EVERYONE = policy.EVERYONE, _("Everyone who reads the page")
        ADULTS = policy.ADULTS, _("The guardians and the school")
        ONE_GUARDIAN = policy.ONE_GUARDIAN, _("One guardian and the school")

    page = models.ForeignKey(StudentPage, on_delete=models.PROTECT, related_name="threads")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    # The one guardian of a ONE_GUARDIAN thread (kept when the guardianship ends: the thread
    # is then read by the school only).
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who started a private thread (None for the threads the page is made with).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

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
            models.CheckConstraint(
                condition=Q(audience="guardian", guardian__isnull=False)
                | (~Q(audience="guardian") & Q(guardian__isnull=True)),
                name="one_guardian_thread_names_the_guardian",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def is_private(self) -> bool:
        return policy.is_private(self)

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
