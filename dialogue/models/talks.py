"""Development talks (utvecklingssamtal): the teacher's bookable slots, the talk a guardian
books in one, who is coming, the preparation written beforehand and the agreements recorded
afterwards (the student's current IUP).

Nothing is deleted: a cancelled slot or talk keeps its row with who cancelled it and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolClass
from dialogue.models.messages import Message
from dialogue.models.pages import Thread
from writing.rendering import markdown_html

MAX_TALK_TEXT = 5000
MAX_PLACE_LENGTH = 200


class TalkSlot(models.Model):
    """A time a teacher of the class is free for one student's talk."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=MAX_PLACE_LENGTH, blank=True)
    video = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("talk slot")
        verbose_name_plural = _("talk slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "starts_at"]),
            models.Index(fields=["teacher", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class AgreementsHtml:
    """The recorded agreements of a talk as sanitised HTML: on the talk and on each of its
    earlier versions."""

    iup_summary: str
    school_actions: str
    home_actions: str

    @property
    def iup_html(self) -> SafeString:
        return markdown_html(self.iup_summary)

    @property
    def school_actions_html(self) -> SafeString:
        return markdown_html(self.school_actions)

    @property
    def home_actions_html(self) -> SafeString:
        return markdown_html(self.home_actions)


class DevelopmentTalk(AgreementsHtml, models.Model):
    """One student's talk in one slot. A slot holds at most one talk that is not cancelled:
    the partial unique constraint makes double booking impossible even under concurrency."""

    slot = models.ForeignKey(TalkSlot, on_delete=models.PROTECT, related_name="talks")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(auto_now_add=True)
    thread = models.OneToOneField(Thread, on_delete=models.PROTECT, related_name="talk")
    # The card in the talk's thread.
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Recorded by the teacher after the talk: the IUP for the year and the agreements.
    held_on = models.DateField(null=True, blank=True)
    iup_summary = models.TextField(_("summary of the IUP for the year"), blank=True)
    school_actions = models.TextField(_("what the school will do"), blank=True)
    home_actions = models.TextField(_("what the student and guardians can do"), blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("development talk")
        verbose_name_plural = _("development talks")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(cancelled_at__isnull=True), name="one_talk_per_slot"
            ),
        ]
        indexes = [models.Index(fields=["student", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.student} {self.slot}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None


class TalkAttendee(models.Model):
    """A guardian coming to the talk: the one who booked it, or the other guardian who joined.
    Leaving keeps the row (``left_at``); ``reminded_at`` makes the reminder go out once."""

    talk = models.ForeignKey(DevelopmentTalk, on_delete=models.PROTECT, related_name="attendees")
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["talk", "guardian"], name="one_attendance_per_guardian"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} at {self.talk_id}"


class TalkPreparation(models.Model):
    """A question or view written before the talk by the student or a guardian."""

    talk = models.ForeignKey(DevelopmentTalk, on_delete=models.PROTECT, related_name="preparations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.talk_id}"


class TalkRecordRevision(AgreementsHtml, models.Model):
    """What a talk's recorded agreements said before they were recorded again: the IUP is
    part of a public record, so a correction never erases the earlier text."""

    talk = models.ForeignKey(DevelopmentTalk, on_delete=models.PROTECT, related_name="record_revisions")
    held_on = models.DateField()
    iup_summary = models.TextField(blank=True)
    school_actions = models.TextField(blank=True)
    home_actions = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["replaced_at"]

    def __str__(self) -> str:
        return f"{self.talk} as recorded {self.recorded_at:%Y-%m-%d %H:%M}"
