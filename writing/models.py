"""What the writing kit stores: the principal's review list of texts saved despite the guard,
and the fields every checked upload has (a message's attachment, a blog post's file)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import School


class FlaggedText(models.Model):
    """A text saved although the sensitive-text guard warned about it, for the principal of
    ``school`` to review. ``student`` is whose records it is in (None for texts outside a
    student's records, such as the class blog). ``source`` names what kind of text it was (the
    apps that write register their kinds in ``writing.sources``), ``source_id`` which one.
    ``text`` keeps what was written when it was flagged (the source may be edited later);
    ``findings`` the guard's findings as a list of {"category", "term", "matched"}."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=30)
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
        return f"{self.source} {self.source_id}"

    @property
    def source_label(self) -> str:
        from writing.sources import source_label

        return source_label(self.source)


class StoredFile(models.Model):
    """The fields of a file that passed ``writing.uploads.check_upload`` and is kept in the
    private storage. Each concrete model adds its own ``file`` (where it is kept) and what it
    belongs to."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF")

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=10)
    display_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name
