"""Asking for a personal data export (GDPR articles 15 and 20), and opening a finished one.

Who may ask: anyone logged in, for what is stored about themselves (scope ``person``); for
everything about a student (scope ``student``), whoever the policy says may export the
student (``StudentRelation.may_export``: the student, a guardian while the guardianship
lasts, the registrar of the student's school for a request received by post). The worker
builds the ZIP (``records.exports.jobs``); the requester, and nobody else, downloads it for
seven days.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import NotFound, Refused
from accounts.models import User
from accounts.openings import record_opening
from accounts.policy import AnyUser
from records.models import DataExport

# How long a finished export can be downloaded.
KEPT_FOR = datetime.timedelta(days=7)
REFERENCE_MAX = 100  # DataExport.reference


def _member(actor: AnyUser) -> User:
    if not (actor.is_authenticated and actor.is_active):
        raise NotFound
    assert isinstance(actor, User)
    return actor


def request_export(actor: AnyUser, *, scope: str, subject_id: int, reference: str = "") -> DataExport:
    """Queue an export of ``subject_id``'s data for ``actor``, or return the one already in
    progress for the same requester, subject and scope. A subject the actor may not export
    is answered as missing (``NotFound``), whoever it is."""
    requester = _member(actor)
    reference = reference.strip()
    if scope == DataExport.Scope.PERSON:
        if subject_id != requester.pk:
            raise NotFound
        reference = ""  # a person's own copy answers no letter
    elif scope == DataExport.Scope.STUDENT:
        relation = policy.relation_to_student(requester, subject_id)
        if not relation.may_export:
            raise NotFound
        if not relation.is_registrar:
            reference = ""  # only the registrar answers a request by post
    else:
        raise Refused("bad_scope", _("Choose what the copy is about."), field="scope")
    if len(reference) > REFERENCE_MAX:
        raise Refused(
            "reference_too_long",
            _("The reference may be at most %(n)s characters.") % {"n": REFERENCE_MAX},
            field="reference",
        )
    running = _in_progress(requester, scope, subject_id)
    if running is not None:
        return running
    try:
        with transaction.atomic():
            return DataExport.objects.create(
                scope=scope,
                subject_id=subject_id,
                requested_by=requester,
                reference=reference,
                language=requester.language or "sv",
            )
    except IntegrityError:  # asked twice at the same moment: the other ask won
        running = _in_progress(requester, scope, subject_id)
        if running is None:
            raise
        return running


def _in_progress(requester: User, scope: str, subject_id: int) -> DataExport | None:
    return DataExport.objects.filter(
        requested_by=requester, scope=scope, subject_id=subject_id, status__in=DataExport.IN_PROGRESS
    ).first()


def own_export(actor: AnyUser, export_id: int) -> DataExport:
    """The actor's own export (any status); someone else's is answered as missing."""
    requester = _member(actor)
    export = DataExport.objects.filter(pk=export_id, requested_by=requester).first()
    if export is None:
        raise NotFound
    return export


def is_expired(export: DataExport, now: datetime.datetime | None = None) -> bool:
    if export.status == DataExport.Status.EXPIRED:
        return True
    return (
        export.status == DataExport.Status.READY
        and export.expires_at is not None
        and export.expires_at <= (now or timezone.now())
    )


class Expired(Refused):
    """The export's seven days are over (its file is, or is about to be, removed)."""

    status = 410


def open_export_download(actor: AnyUser, export_id: int) -> DataExport:
    """The door to a finished export's file: only its requester, only while it is ready and
    within its seven days, and for a student export only while the policy still lets the
    requester export the student (a guardianship that ended ends the download too).

    Each download is recorded: a student export as an opening of the student's records
    (``what="export"``, in the access log), every export in its own download count and time.
    """
    requester = _member(actor)
    export = own_export(requester, export_id)
    if is_expired(export):
        raise Expired("expired", _("This copy has expired."))
    if export.status != DataExport.Status.READY or not export.file:
        raise NotFound
    if export.scope == DataExport.Scope.STUDENT:
        relation = policy.relation_to_student(requester, export.subject_id)
        if not relation.may_export:
            raise NotFound
        record_opening(
            viewer_id=requester.pk,
            student_id=export.subject_id,
            what="export",
            object_id=export.pk,
            relation=relation,
        )
    now = timezone.now()
    DataExport.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1, last_downloaded_at=now)
    export.downloads += 1
    export.last_downloaded_at = now
    return export
