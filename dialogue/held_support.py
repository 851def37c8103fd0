"""Special support in the register of what is held (``accounts.held``): extra adaptations
and their follow-ups, reports to the principal with the decisions on them, and the views of
the student and guardians. Everything is in the student's record; a view is also its
author's as a person."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, columns, declare, named, where
from dialogue.held import CREATED, SUBJECT, _subject
from dialogue.models import Adaptation, AdaptationFollowUp, SupportCase, SupportView


def _id(field: str) -> Any:
    return lambda row: getattr(row, f"{field}_id")


ADAPTATION_FIELDS = {
    **ID,
    "subject": SUBJECT,
    "description": "What is adapted (Markdown).",
    "starts_on": "Since when (YYYY-MM-DD).",
    "follow_up_on": "When it is followed up next (YYYY-MM-DD).",
    "ended_on": "The day it ended; null while it goes on.",
    "created_by": "Who recorded it.",
    "created_at": CREATED,
}
ADAPTATION = HeldKind(
    name="dialogue.adaptation",
    model=Adaptation,
    label=_("Extra adaptations"),
    fields=ADAPTATION_FIELDS,
    export=columns(ADAPTATION_FIELDS, subject=_subject, created_by=named("created_by")),
    of_student=where(Adaptation, "student_id"),
    related=("subject", "created_by"),
)

ADAPTATION_FOLLOW_UP_FIELDS = {
    **ID,
    "adaptation": "The number of the extra adaptation.",
    "result": "The follow-up's result (Markdown).",
    "continues": "Whether the adaptation goes on.",
    "next_follow_up_on": "The next follow-up (YYYY-MM-DD); null when it ended.",
    "written_by": "Who followed it up.",
    "written_at": "When.",
}
ADAPTATION_FOLLOW_UP = HeldKind(
    name="dialogue.adaptationfollowup",
    model=AdaptationFollowUp,
    label=_("Follow-ups of extra adaptations"),
    fields=ADAPTATION_FOLLOW_UP_FIELDS,
    export=columns(ADAPTATION_FOLLOW_UP_FIELDS, adaptation=_id("adaptation"), written_by=named("written_by")),
    of_student=where(AdaptationFollowUp, "adaptation__student_id"),
    related=("written_by",),
)

CASE_FIELDS = {
    **ID,
    "thread": "The number of the report's thread.",
    "stage": "reported, investigating, not_investigated, support_needed or no_programme.",
    "subject": SUBJECT,
    "observations": "What has been seen (Markdown).",
    "adaptations_tried": "The adaptations tried, in words (Markdown).",
    "assessment": "The number of the written assessment that prompted it; null if none.",
    "reported_by": "Who reported it.",
    "reported_at": "When.",
    "investigation_decided_by": "The principal who decided whether it is investigated.",
    "investigation_decided_at": "When; null until decided.",
    "not_investigated_reason": "Why it is not investigated (Markdown).",
    "investigator": "Who investigates.",
    "investigate_by": "By when (YYYY-MM-DD).",
    "outcome_decided_by": "The principal who decided the outcome.",
    "outcome_decided_on": "The day of the decision; null until decided.",
    "outcome_summary": "What the investigation showed, as the family should know it (Markdown).",
    "outcome_grounds": "The grounds of a decision not to write an action programme (Markdown).",
    "programme": "The number of the action programme drafted; null if none.",
}
SUPPORT_CASE = HeldKind(
    name="dialogue.supportcase",
    model=SupportCase,
    label=_("Reports of a need for special support"),
    fields=CASE_FIELDS,
    export=columns(
        CASE_FIELDS,
        thread=_id("thread"),
        subject=_subject,
        assessment=_id("assessment"),
        reported_by=named("reported_by"),
        investigation_decided_by=named("investigation_decided_by"),
        investigator=named("investigator"),
        outcome_decided_by=named("outcome_decided_by"),
        programme=_id("programme"),
    ),
    of_student=where(SupportCase, "student_id"),
    related=("subject", "reported_by", "investigation_decided_by", "investigator", "outcome_decided_by"),
)

# The report's list of adaptations (the many-to-many table): removed with the report.
CaseAdaptation = SupportCase.adaptations.through
CASE_ADAPTATION = HeldKind(
    name=f"dialogue.{CaseAdaptation._meta.model_name}",
    model=CaseAdaptation,
    label=_("Extra adaptations named in reports"),
    fields={"supportcase": "The number of the report.", "adaptation": "The number of the adaptation."},
    export=lambda row: {"supportcase": row.supportcase_id, "adaptation": row.adaptation_id},
    of_student=where(CaseAdaptation, "supportcase__student_id"),
)

SUPPORT_VIEW_FIELDS = {
    **ID,
    "case": "The number of the report.",
    "author": "Who gave it (the student or a guardian).",
    "body": "The view (Markdown).",
    "stage": "The stage the report was at when it was given.",
    "created_at": CREATED,
}
SUPPORT_VIEW = HeldKind(
    name="dialogue.supportview",
    model=SupportView,
    label=_("Views given on special support"),
    fields=SUPPORT_VIEW_FIELDS,
    export=columns(SUPPORT_VIEW_FIELDS, case=_id("case"), author=named("author")),
    of_student=where(SupportView, "case__student_id"),
    of_person=where(SupportView, "author_id"),
    related=("author",),
)

declare(ADAPTATION, ADAPTATION_FOLLOW_UP, SUPPORT_CASE, CASE_ADAPTATION, SUPPORT_VIEW)
