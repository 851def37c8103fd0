"""Dated memberships: who belongs where, from when, until when.

Every membership has ``starts_on`` and an optional ``ends_on``. ``ends_on`` is the first day
the membership no longer applies: a teacher whose assignment ends on 2027-01-15 has no access
from that morning. Memberships are never deleted; ending one keeps everything the person
wrote and keeps the record of who belonged when. A membership ended on its first day
(``ends_on == starts_on``) never applied: that is how a mistaken one is withdrawn.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.school import School, SchoolClass, Subject


def active_q(on: datetime.date, prefix: str = "") -> Q:
    """Condition for memberships in force on ``on``; ``prefix`` reaches through a relation."""
    return Q(**{f"{prefix}starts_on__lte": on}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": on})
    )


class MembershipQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> MembershipQuerySet:
        return self.filter(active_q(on or timezone.localdate()))


class DatedMembership(models.Model):
    """Base of every membership. Each subclass has a ``school`` (field or property)."""

    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("no longer applies from"),
        null=True,
        blank=True,
        help_text=_("The first day this no longer applies. Leave empty while it lasts."),
    )
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.ends_on is not None and self.starts_on is not None and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})

    def shares_a_day_with(self, other: DatedMembership) -> bool:
        """Whether both are in force on some day (one ended on its first day covers none);
        the in-memory twin of the overlap query in ``actions.memberships.check_no_overlap``."""
        if self.ends_on == self.starts_on or other.ends_on == other.starts_on:
            return False
        return (other.ends_on is None or self.starts_on < other.ends_on) and (
            self.ends_on is None or other.starts_on < self.ends_on
        )

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)


def _ends_after_start(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name=name
    )


class Enrolment(DatedMembership):
    """A student belongs to a class."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("student"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("class")
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [_ends_after_start("enrolment_ends_after_start")]
        indexes = [models.Index(fields=["school_class", "student"])]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_class}"

    @property
    def school(self) -> School:
        return self.school_class.school


class Guardianship(DatedMembership):
    """A guardian (vårdnadshavare) of a student. Withdrawn by ending it, never by deleting."""

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guardianships",
        verbose_name=_("guardian"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guardians_of",
        verbose_name=_("student"),
    )

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            _ends_after_start("guardianship_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("student")), name="guardian_is_not_the_student"
            ),
        ]
        indexes = [models.Index(fields=["guardian", "student"])]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"


class TeachingAssignment(DatedMembership):
    """A teacher teaches a subject in a class."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teaching_assignments",
        verbose_name=_("teacher"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="teaching_assignments", verbose_name=_("class")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [_ends_after_start("teaching_ends_after_start")]
        indexes = [models.Index(fields=["teacher", "school_class"])]

    def __str__(self) -> str:
        return f"{self.teacher} – {self.school_class} {self.subject}"

    @property
    def school(self) -> School:
        return self.school_class.school


class Mentorship(DatedMembership):
    """A teacher is mentor (the responsible teacher) for a class."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentorships",
        verbose_name=_("teacher"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("class")
    )

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [_ends_after_start("mentorship_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.teacher} – {self.school_class}"

    @property
    def school(self) -> School:
        return self.school_class.school


class StaffRole(DatedMembership):
    """A leadership or administrative role at one school."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        SCHOOL_ADMIN = "school_admin", _("School administrator")
        # Registers requests for public records and keeps the archive of students who left.
        REGISTRAR = "registrar", _("Registrar")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_roles",
        verbose_name=_("person"),
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="staff_roles", verbose_name=_("school")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [_ends_after_start("staff_role_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.school}"
