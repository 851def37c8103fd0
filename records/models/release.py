"""Releasing a public record (utlämnande av allmän handling): a request, its review for
confidentiality, the decision and the released copy.

Anyone may ask for a copy of a student's records (an IUP with written assessments is a public
record); the registrar or the principal of the student's school registers the request, reviews
every document in scope as it stood when the request arrived, masks what is confidential under
a ground of the Public Access to Information and Secrecy Act (OSL), and decides. The decision
document and the released copy are stored with the request: they are records themselves, kept
as long as the student's page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class SecrecyGround(models.Model):
    """A ground for masking, held as data (a migration loads the common ones; the municipality
    adds its own in the admin): "23 kap. 2 § OSL" and what it protects."""

    # The provision as cited in the copy's marker: "23 kap. 2 §" ("OSL" is added).
    provision = models.CharField(_("provision"), max_length=40, unique=True)
    title_sv = models.CharField(_("Swedish description"), max_length=200)
    title_en = models.CharField(_("English description"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("ground for secrecy")
        verbose_name_plural = _("grounds for secrecy")
        ordering = ["position", "provision"]

    def __str__(self) -> str:
        return f"{self.provision} OSL"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "sv").startswith("en") else self.title_sv


class ReleaseRequest(models.Model):
    """A request for a copy of a student's records, numbered per school and year."""

    class Delivery(models.TextChoices):
        EMAIL = "email", _("PDF by e-mail")
        PAPER = "paper", _("On paper")

    class Status(models.TextChoices):
        OPEN = "open", _("Being handled")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        FULL = "full", _("Released in full")
        MASKED = "masked", _("Released with masking")
        REFUSED = "refused", _("Refused")

    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    received_at = models.DateTimeField(_("received"))
    # Anyone may ask anonymously and never has to say why: both may stay empty.
    requester = models.CharField(_("requester"), max_length=200, blank=True)
    # Where the copy goes: an e-mail address or a postal address, as the requester gave it.
    requester_contact = models.CharField(_("contact"), max_length=300, blank=True)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The kinds of documents asked for (names from ``records.release.documents.KINDS``) and
    # the period they were made in (either end open).
    kinds = models.JSONField(_("documents"), default=list)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # The decision.
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # A refusal's grounds and reason (masking has them per masked passage).
    refusal_ground = models.ForeignKey(
        SecrecyGround, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The stored files (names in the private storage, random: never a person's name).
    copy_pdf = models.CharField(max_length=200, blank=True)
    copy_html = models.CharField(max_length=200, blank=True)
    decision_pdf = models.CharField(max_length=200, blank=True)
    decision_html = models.CharField(max_length=200, blank=True)
    # When the copy (and the decision) were sent or handed over, and by whom.
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request for a public record")
        verbose_name_plural = _("requests for public records")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "number"], name="one_release_number"),
        ]
        indexes = [models.Index(fields=["school", "status", "received_at"], name="release_by_school")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The registry number: "BJB 2026-0014"."""
        return f"{self.school.registry_prefix} {self.year}-{self.number:04d}"


class Masking(models.Model):
    """One masked passage of one document's text, or (without a range) a whole document or
    attachment. The range is in characters (Unicode code points) of the text as it stood when
    the request arrived, which never changes afterwards: a later edit keeps that text as a
    revision. ``text_sha256`` is the hash of that whole text when the passage was marked, so
    a copy is never made from a range that no longer fits its text."""

    request = models.ForeignKey(ReleaseRequest, on_delete=models.CASCADE, related_name="maskings")
    # The document: a kind of ``records.release.documents`` and its id.
    document = models.CharField(max_length=40)
    document_id = models.PositiveBigIntegerField()
    # The text field masked in; empty for the whole document.
    field = models.CharField(max_length=40, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    ground = models.ForeignKey(SecrecyGround, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("masking")
        verbose_name_plural = _("maskings")
        ordering = ["document", "document_id", "field", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(field="", start__isnull=True, end__isnull=True)
                    | models.Q(start__isnull=False, end__gt=models.F("start"))
                ),
                name="masking_whole_or_range",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.field}[{self.start}:{self.end}]" if self.field else "whole"
        return f"{self.document} {self.document_id} {where}"

    @property
    def is_whole(self) -> bool:
        return not self.field

    @property
    def provision(self) -> str:
        """The ground's provision, as the copy's marker cites it (read with the ground)."""
        return self.ground.provision
