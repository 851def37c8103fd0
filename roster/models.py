"""What the roster sync remembers: which local object each register entity became, and
every run with its changes and problems.

The register (an SS 12000 API, or the same data as a JSON file) is the source of truth for
people, classes and memberships. The sync never deletes: what disappears from the source
ends with a date. ``SourceLink`` ties a register id to the local row it created or matched,
so a second run finds it again and a rename in the register is a rename here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceLink(models.Model):
    """One register entity and the local row it stands for.

    ``source_id`` is the register's id (a UUID) for organisations, persons, groups and
    duties; for what the register nests inside another entity it is built from the ids
    around it, as documented where each is made (``roster.sync``).
    """

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")  # organisation (school unit) -> School
        PERSON = "person", _("Person")  # person -> User
        CLASS = "class", _("Class")  # group of type Klass -> SchoolClass
        ENROLMENT = "enrolment", _("Enrolment")  # group membership -> Enrolment
        GUARDIANSHIP = "guardianship", _("Guardianship")  # responsible -> Guardianship
        STAFF_ROLE = "staff_role", _("Staff role")  # duty -> StaffRole
        MENTORSHIP = "mentorship", _("Mentorship")  # duty's mentor assignment -> Mentorship
        TEACHING = "teaching", _("Teaching assignment")  # activity x teacher x group -> TeachingAssignment

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_id = models.CharField(_("register id"), max_length=200)
    local_id = models.PositiveBigIntegerField(_("local id"))
    # The school the entity belongs to (none for persons): a full run ends what no longer
    # appears for that school.
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("register link")
        verbose_name_plural = _("register links")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="one_link_per_source_entity"),
        ]
        indexes = [models.Index(fields=["kind", "local_id"]), models.Index(fields=["school", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} -> {self.local_id}"


class RosterRun(models.Model):
    """One sync from the register: nightly, asked for by a school administrator, or from
    the command line. A dry run computes the same changes and applies none."""

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        MANUAL = "manual", _("Asked for by a school administrator")
        COMMAND = "command", _("Command line")
        DEMO = "demo", _("Demo")

    class Mode(models.TextChoices):
        FULL = "full", _("Everything")
        INCREMENTAL = "incremental", _("Changes since the last run")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        PROBLEMS = "problems", _("Done with problems")
        FAILED = "failed", _("Failed")

    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.FULL)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Where the data came from, for people: the API's address or the file's name. Never a
    # secret (no token, no query string).
    source = models.CharField(_("source"), max_length=300, blank=True)
    # A school administrator's run covers their school only; the nightly run every school.
    school = models.ForeignKey(
        "accounts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # For an incremental run: changes after this time were asked for. A finished full or
    # incremental run that applied stores the time its reading began, the next run's start.
    modified_after = models.DateTimeField(_("changes after"), null=True, blank=True)
    read_started_at = models.DateTimeField(_("reading began"), null=True, blank=True)
    # What stopped the whole run (the register unreachable), in words for the administrator.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("register sync")
        verbose_name_plural = _("register syncs")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.requested_at:%Y-%m-%d %H:%M}"


class RosterRunSchool(models.Model):
    """What one run did (or would do, in a dry run) at one school: applied whole or not at
    all. ``changes`` and ``problems`` are lists of ``{"code": ..., **values}`` so that each
    reader sees them in their own language (``roster.describe``); they hold names and
    classes, never civic numbers."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("No changes")
        PLANNED = "planned", _("Dry run: nothing applied")
        FAILED = "failed", _("Not applied")

    run = models.ForeignKey(RosterRun, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(
        "accounts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="roster_runs"
    )
    source_id = models.CharField(_("register id"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    changes = models.JSONField(_("changes"), default=list)
    problems = models.JSONField(_("problems"), default=list)
    # Counts by change code, for the summary line ("adds 3 students, ends 1 guardianship").
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("register sync of a school")
        verbose_name_plural = _("register syncs of schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.run} – {self.name}"
