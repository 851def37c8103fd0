"""Stored files the purge has promised to remove.

A student's files are removed after the transaction that removes the student's rows has
committed (a file removed inside a transaction that then rolls back could not be brought
back). The names are written in that same transaction, so a purge killed between the commit
and the last file leaves a list that the next run finishes first. Only the storage's random
names are kept (``<page id>/<random>.png``), never a person's name or a file's display name.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingFileRemoval(models.Model):
    # The file's name in private storage (``writing.uploads.private_storage``), where every
    # stored file of the register lives.
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file waiting for removal")
        verbose_name_plural = _("files waiting for removal")

    def __str__(self) -> str:
        return self.storage_name
