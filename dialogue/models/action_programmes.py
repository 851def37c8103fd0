"""Action programmes (åtgärdsprogram): the school's plan of special support for a student.

A programme is a case on the student's page with its own thread and card. Its content lives
in versions: a teacher or the principal drafts a version (every save keeps a revision), the
principal decides it (adopts or declines, with date and name, appealable within three
weeks), and a change to an adopted programme is a new version decided again. Follow-ups are
planned in a version and recorded by the school; the principal closes the programme.
Nothing is ever deleted: the page is a public record.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import Subject
from dialogue.models.messages import Message
from dialogue.models.pages import StudentPage, Thread
from writing.rendering import markdown_html

MAX_PROGRAMME_TEXT = 4000
MAX_FOLLOW_UP_TEXT = 500
MAX_FOLLOW_UPS = 12
APPEAL_DAYS = 21  # a decision can be appealed within three weeks


class ProgrammeTexts:
    """The rendered texts of a programme's content (a version or a saved revision)."""

    needs: str
    measures: str
    responsible: str

    @property
    def needs_html(self) -> SafeString:
        return markdown_html(self.needs)

    @property
    def measures_html(self) -> SafeString:
        return markdown_html(self.measures)

    @property
    def responsible_html(self) -> SafeString:
        return markdown_html(self.responsible)


class ActionProgramme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    page = models.ForeignKey(StudentPage, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    thread = models.OneToOneField(Thread, on_delete=models.PROTECT, related_name="+")
    # The card in the programme's thread, rewritten on every change.
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("action programme")
        verbose_name_plural = _("action programmes")
        indexes = [models.Index(fields=["student", "status"])]

    def __str__(self) -> str:
        return f"{self.student} #{self.pk}"

    @property
    def close_reason_html(self) -> SafeString:
        return markdown_html(self.close_reason)


class ProgrammeVersion(ProgrammeTexts, models.Model):
    """One version of a programme's content. A draft may be saved again (each save keeps a
    revision); once decided it never changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Replaced by a later version")

    programme = models.ForeignKey(ActionProgramme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    needs = models.TextField(_("the student's needs"))
    measures = models.TextField(_("measures and how the school carries them out"), blank=True)
    responsible = models.TextField(_("who is responsible"), blank=True)
    # The planned follow-ups while a draft: [{"on": "YYYY-MM-DD", "what": "..."}]. Adopting
    # the version turns them into FollowUp rows.
    follow_up_plan = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("action programme version")
        verbose_name_plural = _("action programme versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique"),
            models.UniqueConstraint(
                fields=["programme"], condition=Q(status="draft"), name="one_draft_per_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.number}"

    @property
    def appeal_until(self) -> datetime.date | None:
        """The last day to appeal the decision: three weeks after it."""
        return self.decided_on + datetime.timedelta(days=APPEAL_DAYS) if self.decided_on else None

    @property
    def decision_note_html(self) -> SafeString:
        return markdown_html(self.decision_note)


class ProgrammeRevision(ProgrammeTexts, models.Model):
    """What a draft held after one save: the draft's history (a public record)."""

    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="revisions")
    needs = models.TextField()
    measures = models.TextField(blank=True)
    responsible = models.TextField(blank=True)
    follow_up_plan = models.JSONField(default=list, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["saved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} @ {self.saved_at}"


class FollowUp(models.Model):
    """A follow-up of an adopted version, planned for a date and later recorded. When a
    later version is adopted, the outstanding follow-ups of the earlier one are replaced
    (kept, marked with the version that replaced them)."""

    class Works(models.TextChoices):
        YES = "yes", _("Yes, it works")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No, it does not work")

    programme = models.ForeignKey(ActionProgramme, on_delete=models.PROTECT, related_name="follow_ups")
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="follow_ups")
    due_on = models.DateField()
    what_to_check = models.TextField(_("what is checked"), blank=True)
    replaced_by = models.ForeignKey(
        ProgrammeVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    what_was_done = models.TextField(blank=True)
    works = models.CharField(max_length=10, choices=Works.choices, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["programme", "recorded_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.programme} {self.due_on}"

    @property
    def what_was_done_html(self) -> SafeString:
        return markdown_html(self.what_was_done)

    @property
    def outcome_html(self) -> SafeString:
        return markdown_html(self.outcome)


class ProgrammeView(models.Model):
    """A view given by the student, a guardian or anyone on the page. Never edited or
    removed: the record of who said what, and when."""

    programme = models.ForeignKey(ActionProgramme, on_delete=models.PROTECT, related_name="views")
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.programme} by {self.author_id}"

    @property
    def body_html(self) -> SafeString:
        return markdown_html(self.body)
