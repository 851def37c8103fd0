"""The records floor's own kinds in the register of what is held (``accounts.held``): the
access log, the principal's review marks, personal data exports, retention rules, and
requests for public records with their maskings, copies and decisions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import FileField, Q
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, clear_reference, columns, declare, name_of, where
from records.models import DataExport, Masking, Opening, ReleaseRequest, RetentionRule, ReviewMark
from writing.uploads import private_storage

FAMILY_ROLES = frozenset({Opening.Role.STUDENT, Opening.Role.GUARDIAN})


def _viewer(row: Opening) -> str:
    """Who opened, when staff. Openings by the student or a guardian are shown by role only:
    the family does not see each other's openings (the log's own view says the same)."""
    if row.role in FAMILY_ROLES:
        return ""
    try:
        return name_of(row.viewer)
    except ObjectDoesNotExist:  # the log has no constraint: the account may be gone
        return ""


OPENING_FIELDS = {
    **ID,
    "at": "When it was opened.",
    "viewer": "Who opened it, for staff; empty for the student and the guardians.",
    "role": "As whom: student, guardian, teacher, mentor, principal or registrar.",
    "what": "What was opened: page, thread, attachment, assessment, archive, export...",
    "object_id": "The number of what was opened, when it has one.",
    "channel": "Through what: page (a web page), socket (the live connection) or notification.",
}
# The log of the student's page is in the student's record (kept as long as the page); the
# openings a person made are about that person. Whose page a person opened is not exported
# with their own openings: it would name another child.
OPENING = HeldKind(
    name="records.opening",
    model=Opening,
    label=_("Who opened the records"),
    fields=OPENING_FIELDS,
    export=columns(OPENING_FIELDS, viewer=_viewer),
    of_student=where(Opening, "student_id"),
    of_person=where(Opening, "viewer_id"),
    related=("viewer",),
)

REVIEW_MARK_FIELDS = {
    **ID,
    "opening": "The number of the opening checked; null for a day's volume of openings.",
    "day": "The day whose volume of openings was checked; null for one opening.",
    "note": "The principal's note.",
    "checked_by": "The principal who checked it.",
    "checked_at": "When.",
}
# A mark on an opening of the student's page goes with the page's log; a mark on one
# person's volume of openings is about that person.
REVIEW_MARK = HeldKind(
    name="records.reviewmark",
    model=ReviewMark,
    label=_("Openings checked by the principal"),
    fields=REVIEW_MARK_FIELDS,
    export=columns(
        REVIEW_MARK_FIELDS,
        opening=lambda row: row.opening_id,
        checked_by=lambda row: name_of(row.checked_by),
    ),
    of_student=where(ReviewMark, "opening__student_id"),
    of_person=where(ReviewMark, "viewer_id"),
    related=("checked_by",),
)


def _requested_by(row: Any) -> str:
    return name_of(row.requested_by)


EXPORT_FIELDS = {
    **ID,
    "scope": "student (everything about a student) or person (about the person themself).",
    "requested_by": "Who asked for it.",
    "reference": "The reference of a request received by post.",
    "language": "The language of its readable copy.",
    "status": "queued, building, ready, failed or expired.",
    "created_at": "When it was asked for.",
    "ready_at": "When it was ready.",
    "expires_at": "When its download link stops working.",
}
# An export of the student is in the student's record; the exports a person asked for, and
# those about them, are about the person (whom another's export was about is not exported).
DATA_EXPORT = HeldKind(
    name="records.dataexport",
    model=DataExport,
    label=_("Personal data exports"),
    fields=EXPORT_FIELDS,
    export=columns(EXPORT_FIELDS, requested_by=_requested_by),
    of_student=lambda student_id: DataExport.objects.filter(
        subject_id=student_id, scope=DataExport.Scope.STUDENT
    ),
    of_person=lambda user_id: DataExport.objects.filter(Q(subject_id=user_id) | Q(requested_by_id=user_id)),
    related=("requested_by",),
    # The ZIP goes with the row (an export's own copy is never put in another export).
    made_files=lambda export: [export.file],
)

RULE_FIELDS = {
    **ID,
    "applies_to": "student_records or class_blogs.",
    "years": "How many years the records are kept.",
    "basis": "Where the rule is decided (the document management plan).",
    "updated_at": "When the rule was last changed.",
}
# The rule is the municipality's; it names a person only as who changed it last.
RETENTION_RULE = HeldKind(
    name="records.retentionrule",
    model=RetentionRule,
    label=_("Retention rules changed"),
    fields=RULE_FIELDS,
    export=columns(RULE_FIELDS),
    of_person=where(RetentionRule, "updated_by_id"),
    remove=clear_reference("updated_by"),
)


def _provision(ground: Any) -> str:
    return str(ground) if ground is not None else ""


RELEASE_FIELDS = {
    **ID,
    "reference": "The registry number (diarienummer): the school's prefix, the year and the number.",
    "school": "The school that received and handles the request.",
    "received_at": "When the request arrived: the documents are released as they stood then.",
    "requester": "Who asked, as they gave their name (the recipient of the copy); empty when anonymous.",
    "kinds": "The kinds of documents asked for: assessments, talks, goals, programmes and/or messages.",
    "period_from": "The first day of the period asked for (YYYY-MM-DD); null if open.",
    "period_to": "The last day of the period asked for (YYYY-MM-DD); null if open.",
    "delivery": "email (a PDF by e-mail) or paper.",
    "handler": "The registrar or principal handling it.",
    "status": "open (being handled) or decided.",
    "outcome": "full (released in full), masked (released with masking) or refused; empty while open.",
    "decided_by": "Who decided.",
    "decided_at": "When; null while open.",
    "refusal_ground": "The provision of the Public Access to Information and Secrecy Act a refusal rests on.",
    "refusal_reason": "The reason given for a refusal.",
    "delivered_at": "When the copy or the decision was sent or handed over; null until then.",
    "delivered_by": "Who sent or handed it over.",
    "created_at": "When the request was registered.",
}


def _release_files(row: ReleaseRequest) -> list[FieldFile]:
    """The released copy and the decision, as PDF: exported with the request (files/) and
    removed with it."""
    stored = FileField(storage=private_storage())
    return [FieldFile(row, stored, name) for name in (row.copy_pdf, row.decision_pdf) if name]


# A request for the student's records is in the student's record, with what was released
# (kept as long as the page). How to reach the requester (``requester_contact``) is not
# exported: the export says who received the student's records, not where they live. The
# request names staff only as its handlers, who are never purged.
RELEASE_REQUEST = HeldKind(
    name="records.releaserequest",
    model=ReleaseRequest,
    label=_("Requests for public records"),
    fields=RELEASE_FIELDS,
    export=columns(
        RELEASE_FIELDS,
        school=lambda row: row.school.name,
        handler=lambda row: name_of(row.handler),
        decided_by=lambda row: name_of(row.decided_by),
        delivered_by=lambda row: name_of(row.delivered_by),
        refusal_ground=lambda row: _provision(row.refusal_ground),
    ),
    of_student=where(ReleaseRequest, "student_id"),
    files=_release_files,
    # The HTML versions of the copy and the decision go with the row (the PDFs are exported).
    made_files=lambda row: [row.copy_html, row.decision_html],
    related=("school", "handler", "decided_by", "delivered_by", "refusal_ground"),
)

MASKING_FIELDS = {
    **ID,
    "request": "The number of the request.",
    "document": "What was masked in: assessment, goal, goal_revision, goal_reflection, self_assessment, "
    "talk, talk_record, talk_preparation, programme_version, programme_view, follow_up, programme_closing, "
    "message or attachment.",
    "document_id": "The number of that document (or file).",
    "field": "The text masked in; empty when the whole document or file was withheld.",
    "start": "Where the masked passage starts, in characters of the text as it stood; null when whole.",
    "end": "Where it ends (exclusive); null when whole.",
    "ground": "The provision of the Public Access to Information and Secrecy Act it was masked under.",
    "reason": "The reason given.",
    "created_by": "Who masked it.",
    "created_at": "When.",
}
MASKING = HeldKind(
    name="records.masking",
    model=Masking,
    label=_("Passages masked in released records"),
    fields=MASKING_FIELDS,
    export=columns(
        MASKING_FIELDS,
        request=lambda row: row.request_id,
        ground=lambda row: _provision(row.ground),
        created_by=lambda row: name_of(row.created_by),
    ),
    of_student=where(Masking, "request__student_id"),
    related=("ground", "created_by"),
)

declare(OPENING, REVIEW_MARK, DATA_EXPORT, RETENTION_RULE, RELEASE_REQUEST, MASKING)
