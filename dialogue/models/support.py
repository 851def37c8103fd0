"""Special support before the action programme (skollagen chapter 3; DOMAIN.md, "Special
support"): the extra adaptations inside ordinary teaching, the report to the principal, the
principal's decision to investigate, and the investigation's outcome.

The page holds the decisions and what the family should know; the health and personal
details of an investigation stay in the student health service's own records. Nothing here
is deleted or overwritten: a follow-up is a new row, a decision is taken once, and the
family's views are kept as they were given (the page is a public record).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import Subject
from dialogue.models.action_programmes import ActionProgramme
from dialogue.models.assessments import Assessment
from dialogue.models.messages import Message
from dialogue.models.pages import StudentPage, Thread
from writing.rendering import markdown_html

MAX_SUPPORT_TEXT = 4000
# A decision not to write an action programme may be appealed to Skolväsendets
# överklagandenämnd within three weeks of the day the family was told of it.
SUPPORT_APPEAL_DAYS = 21


class Adaptation(models.Model):
    """An extra adaptation (extra anpassning) in one subject: what is adapted, since when,
    and when it is followed up. Decided by the teachers, no formal decision; a card on the
    page, seen by the student and the guardians."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    page = models.ForeignKey(StudentPage, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("what is adapted"))
    starts_on = models.DateField(_("since"))
    follow_up_on = models.DateField(_("followed up on"))
    # Set when the adaptation is ended (at a follow-up, or when a programme takes over).
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The card in the subject's thread, rewritten after each follow-up.
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("extra adaptation")
        verbose_name_plural = _("extra adaptations")
        indexes = [models.Index(fields=["student", "ended_on", "follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.starts_on} ({self.student})"

    @property
    def description_html(self) -> SafeString:
        return markdown_html(self.description)


class AdaptationFollowUp(models.Model):
    """One follow-up of an adaptation: its result, and whether it goes on (with the next
    follow-up date) or ends."""

    adaptation = models.ForeignKey(Adaptation, on_delete=models.PROTECT, related_name="follow_ups")
    result = models.TextField(_("the follow-up's result"))
    continues = models.BooleanField(default=True)
    next_follow_up_on = models.DateField(null=True, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = _("follow-up of an extra adaptation")
        verbose_name_plural = _("follow-ups of extra adaptations")

    def __str__(self) -> str:
        return f"{self.adaptation} {self.written_at:%Y-%m-%d}"

    @property
    def result_html(self) -> SafeString:
        return markdown_html(self.result)


class SupportCase(models.Model):
    """A report to the principal (anmälan) and everything the principal decides on it.

    Stages, each taken once and in order: REPORTED (waiting for the principal), then
    INVESTIGATING (with who investigates and by when) or NOT_INVESTIGATED (with the reason),
    then, after an investigation, SUPPORT_NEEDED (an action programme is drafted, linked
    here) or NO_PROGRAMME (a decision not to write one, with its grounds; appealable within
    three weeks). The texts are the school's; the guard checks them like every page text.
    """

    class Stage(models.TextChoices):
        REPORTED = "reported", _("Reported to the principal")
        INVESTIGATING = "investigating", _("Being investigated")
        NOT_INVESTIGATED = "not_investigated", _("Not investigated")
        SUPPORT_NEEDED = "support_needed", _("Needs special support")
        NO_PROGRAMME = "no_programme", _("No action programme")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    page = models.ForeignKey(StudentPage, on_delete=models.PROTECT, related_name="+")
    # The case's own thread (everyone who reads the page: the family takes part) and card.
    thread = models.OneToOneField(Thread, on_delete=models.PROTECT, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REPORTED)
    # The report.
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    observations = models.TextField(_("what has been seen"))
    adaptations_tried = models.TextField(_("adaptations tried"), blank=True)
    adaptations = models.ManyToManyField(Adaptation, blank=True, related_name="+")
    # The published assessment whose "not yet acceptable" prompted the report, if one did.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    # The principal's decision whether to investigate.
    investigation_decided_at = models.DateTimeField(null=True, blank=True)
    investigation_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_investigated_reason = models.TextField(_("why it is not investigated"), blank=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    investigate_by = models.DateField(_("investigated by"), null=True, blank=True)
    # The outcome, a decision of the principal's.
    outcome_decided_at = models.DateTimeField(null=True, blank=True)
    outcome_decided_on = models.DateField(null=True, blank=True)
    outcome_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the family should know of the investigation (its details stay in the student
    # health service's records), and for NO_PROGRAMME the grounds of the decision.
    outcome_summary = models.TextField(_("what the investigation showed"), blank=True)
    outcome_grounds = models.TextField(_("grounds"), blank=True)
    programme = models.OneToOneField(
        ActionProgramme, on_delete=models.PROTECT, null=True, blank=True, related_name="support_case"
    )

    class Meta:
        verbose_name = _("report of a need for special support")
        verbose_name_plural = _("reports of a need for special support")
        indexes = [models.Index(fields=["student", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="investigating")
                | Q(investigate_by__isnull=False, investigator__isnull=False),
                name="investigation_has_investigator_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(stage="support_needed") | Q(programme__isnull=False),
                name="support_needed_has_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} ({self.student})"

    @property
    def appeal_deadline(self) -> datetime.date | None:
        """The last day to appeal a decision not to write an action programme."""
        if self.stage != self.Stage.NO_PROGRAMME or self.outcome_decided_on is None:
            return None
        return self.outcome_decided_on + datetime.timedelta(days=SUPPORT_APPEAL_DAYS)


class SupportView(models.Model):
    """The student's or a guardian's view on a case, recorded as given: never edited, never
    removed (a later view is a new row)."""

    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="views")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    # The stage the case was at when the view was given (what it is a view on).
    stage = models.CharField(max_length=20, choices=SupportCase.Stage.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("view on special support")
        verbose_name_plural = _("views on special support")

    def __str__(self) -> str:
        return f"{self.author} on {self.case_id}"

    @property
    def body_html(self) -> SafeString:
        return markdown_html(self.body)
