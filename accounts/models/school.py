"""Schools and their structure: school years, terms, classes and subjects."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100)
    # The prefix of the school's registry numbers (diarienummer), "BJB" in "BJB 2026-0014":
    # requests for public records are numbered per school and year under it.
    registry_code = models.CharField(
        _("registry prefix"),
        max_length=10,
        blank=True,
        help_text=_("Put before the registry numbers of requests for public records, e.g. BJB."),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def registry_prefix(self) -> str:
        """The registry prefix, or the first three letters of the name while none is set."""
        return self.registry_code or "".join(ch for ch in self.name if ch.isalpha())[:3].upper()


class SchoolYear(models.Model):
    """A school year such as 2026/27; shared by every school."""

    label = models.CharField(_("label"), max_length=20, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="school_year_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.label


class Term(models.Model):
    """Autumn (HT) or spring (VT) term of one school; dates differ between municipalities."""

    class Kind(models.TextChoices):
        AUTUMN = "HT", _("Autumn term")
        SPRING = "VT", _("Spring term")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="terms", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="terms", verbose_name=_("school year")
    )
    kind = models.CharField(_("term"), max_length=2, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "kind"], name="one_term_per_kind"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        year = self.starts_on.year % 100
        return f"{self.kind}{year:02d}"


GRADE_CHOICES = [(0, "F")] + [(grade, str(grade)) for grade in range(1, 10)]


class SchoolClass(models.Model):
    """A class (teaching group) of one school in one school year, for example 4A."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="classes", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="classes", verbose_name=_("school year")
    )
    name = models.CharField(_("name"), max_length=40)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="unique_class_name"),
            models.CheckConstraint(condition=models.Q(grade__lte=9), name="grade_f_to_9"),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """A subject of the Lgr22 curriculum (loaded as data by a migration)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["position", "name_sv"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The subject's name in the active language."""
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv


class CurriculumArea(models.Model):
    """An area of a subject in the curriculum (a heading of Lgr22's central content), what
    written assessments give a knowledge level for and goals can be tied to. Loaded as data
    by a migration; a municipality may add its own."""

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="areas", verbose_name=_("subject")
    )
    name_sv = models.CharField(_("Swedish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("curriculum area")
        verbose_name_plural = _("curriculum areas")
        ordering = ["subject", "position"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "name_sv"], name="area_name_unique_per_subject")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv
