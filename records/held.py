"""The records floor's own kinds in the register of what is held (``accounts.held``): the
access log, the principal's review marks, personal data exports and retention rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, clear_reference, columns, declare, name_of, where
from records.models import DataExport, Opening, RetentionRule, ReviewMark

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

declare(OPENING, REVIEW_MARK, DATA_EXPORT, RETENTION_RULE)
