"""The documents on a student's page, in the register of what is held: goals and
self-assessments, development talks and action programmes, each with its history. See
``dialogue.held`` for what belongs to the record and what to a person."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, columns, declare, name_of, named, where
from dialogue.held import AREA, CREATED, SUBJECT, _area, _subject
from dialogue.models import (
    ActionProgramme,
    DevelopmentTalk,
    FollowUp,
    Goal,
    GoalReflection,
    GoalRevision,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
    SelfAssessment,
    TalkAttendee,
    TalkPreparation,
    TalkRecordRevision,
    TalkSlot,
)


def _id(field: str) -> Any:
    return lambda row: getattr(row, f"{field}_id")


# --- goals and self-assessments --------------------------------------------------------------

GOAL_FIELDS = {
    **ID,
    "subject": SUBJECT,
    "area": AREA,
    "text": "The goal (Markdown).",
    "target_date": "When it should be reached (YYYY-MM-DD); null if not set.",
    "status": "proposed, active, reached, revised or declined.",
    "proposed": "Whether the student or a guardian proposed it.",
    "created_by": "Who wrote it first.",
    "created_at": CREATED,
    "decided_by": "The teacher who accepted or declined a proposal.",
    "decided_at": "When the proposal was decided; null if not.",
    "decline_reason": "Why a proposal was declined.",
    "updated_by": "Who wrote the current text and status.",
    "updated_at": "When they did.",
    "replaces": "The number of the revised goal this one replaces; null if none.",
}
GOAL = HeldKind(
    name="dialogue.goal",
    model=Goal,
    label=_("Goals"),
    fields=GOAL_FIELDS,
    export=columns(
        GOAL_FIELDS,
        subject=_subject,
        area=_area,
        created_by=named("created_by"),
        decided_by=named("decided_by"),
        updated_by=named("updated_by"),
        replaces=_id("replaces"),
    ),
    of_student=where(Goal, "student_id"),
    related=("subject", "area", "created_by", "decided_by", "updated_by"),
)

GOAL_REVISION_FIELDS = {
    **ID,
    "goal": "The number of the goal.",
    "text": "The goal's text before the change.",
    "status": "Its status before the change.",
    "area": AREA,
    "target_date": "Its target date before the change.",
    "written_by": "Who wrote that version.",
    "written_at": "When that version was written.",
    "replaced_at": "When it was changed.",
}
GOAL_REVISION = HeldKind(
    name="dialogue.goalrevision",
    model=GoalRevision,
    label=_("Earlier versions of goals"),
    fields=GOAL_REVISION_FIELDS,
    export=columns(GOAL_REVISION_FIELDS, goal=_id("goal"), area=_area, written_by=named("written_by")),
    of_student=where(GoalRevision, "goal__student_id"),
    related=("area", "written_by"),
)

GOAL_REFLECTION_FIELDS = {
    **ID,
    "goal": "The number of the goal.",
    "author": "Who wrote it (the student).",
    "text": "The student's thoughts about the goal.",
    "created_at": CREATED,
}
GOAL_REFLECTION = HeldKind(
    name="dialogue.goalreflection",
    model=GoalReflection,
    label=_("Reflections on goals"),
    fields=GOAL_REFLECTION_FIELDS,
    export=columns(GOAL_REFLECTION_FIELDS, goal=_id("goal"), author=named("author")),
    of_student=where(GoalReflection, "goal__student_id"),
    of_person=where(GoalReflection, "author_id"),
    related=("author",),
)

SELF_ASSESSMENT_FIELDS = {
    **ID,
    "goal": "The number of the goal assessed; null when a subject is assessed.",
    "subject": SUBJECT,
    "area": AREA,
    "level": "needs_help, fairly_well or well.",
    "text": "The student's own words.",
    "created_at": CREATED,
}
SELF_ASSESSMENT = HeldKind(
    name="dialogue.selfassessment",
    model=SelfAssessment,
    label=_("Self-assessments"),
    fields=SELF_ASSESSMENT_FIELDS,
    export=columns(SELF_ASSESSMENT_FIELDS, goal=_id("goal"), subject=_subject, area=_area),
    of_student=where(SelfAssessment, "student_id"),
    related=("subject", "area"),
)

# --- development talks ----------------------------------------------------------------------

SLOT_FIELDS = {
    **ID,
    "class_name": "The class the time was offered to.",
    "starts_at": "When the time starts.",
    "ends_at": "When it ends.",
    "place": "Where.",
    "video": "Whether it is a video meeting.",
    "created_at": "When the time was offered.",
    "cancelled_at": "When it was withdrawn; null if not.",
}
# A teacher's offered time is the teacher's (a booked talk names its time in its own row):
# the purge of a student leaves the slot, only the talk in it goes.
TALK_SLOT = HeldKind(
    name="dialogue.talkslot",
    model=TalkSlot,
    label=_("Times offered for development talks"),
    fields=SLOT_FIELDS,
    export=columns(SLOT_FIELDS, class_name=lambda row: row.school_class.name),
    of_person=where(TalkSlot, "teacher_id"),
    related=("school_class",),
)


def _local(value: Any) -> Any:
    return timezone.localtime(value) if value is not None else None


TALK_FIELDS = {
    **ID,
    "thread": "The number of the talk's thread.",
    "teacher": "The teacher holding the talk.",
    "starts_at": "When the talk starts.",
    "ends_at": "When it ends.",
    "place": "Where.",
    "video": "Whether it is a video meeting.",
    "booked_by": "Who booked it.",
    "booked_at": "When.",
    "cancelled_at": "When it was cancelled; null if not.",
    "cancelled_by": "Who cancelled it.",
    "held_on": "The day it was held (YYYY-MM-DD); null until recorded.",
    "iup_summary": "The summary of the individual development plan for the year (Markdown).",
    "school_actions": "What the school will do.",
    "home_actions": "What the student and the guardians can do.",
    "recorded_at": "When the agreements were recorded.",
    "recorded_by": "Who recorded them.",
}
TALK = HeldKind(
    name="dialogue.developmenttalk",
    model=DevelopmentTalk,
    label=_("Development talks"),
    fields=TALK_FIELDS,
    export=columns(
        TALK_FIELDS,
        thread=_id("thread"),
        teacher=lambda row: name_of(row.slot.teacher),
        starts_at=lambda row: _local(row.slot.starts_at),
        ends_at=lambda row: _local(row.slot.ends_at),
        place=lambda row: row.slot.place,
        video=lambda row: row.slot.video,
        booked_by=named("booked_by"),
        cancelled_by=named("cancelled_by"),
        recorded_by=named("recorded_by"),
    ),
    of_student=where(DevelopmentTalk, "student_id"),
    related=("slot__teacher", "booked_by", "cancelled_by", "recorded_by"),
)

ATTENDEE_FIELDS = {
    **ID,
    "talk": "The number of the talk.",
    "guardian": "The guardian coming.",
    "joined_at": "When they said they would come.",
    "left_at": "When they said they would not come after all; null if not.",
}
TALK_ATTENDEE = HeldKind(
    name="dialogue.talkattendee",
    model=TalkAttendee,
    label=_("Guardians coming to development talks"),
    fields=ATTENDEE_FIELDS,
    export=columns(ATTENDEE_FIELDS, talk=_id("talk"), guardian=named("guardian")),
    of_student=where(TalkAttendee, "talk__student_id"),
    of_person=where(TalkAttendee, "guardian_id"),
    related=("guardian",),
)

PREPARATION_FIELDS = {
    **ID,
    "talk": "The number of the talk.",
    "author": "Who wrote it (the student or a guardian).",
    "body": "The question or view (Markdown).",
    "created_at": CREATED,
}
TALK_PREPARATION = HeldKind(
    name="dialogue.talkpreparation",
    model=TalkPreparation,
    label=_("Preparations for development talks"),
    fields=PREPARATION_FIELDS,
    export=columns(PREPARATION_FIELDS, talk=_id("talk"), author=named("author")),
    of_student=where(TalkPreparation, "talk__student_id"),
    of_person=where(TalkPreparation, "author_id"),
    related=("author",),
)

RECORD_REVISION_FIELDS = {
    **ID,
    "talk": "The number of the talk.",
    "held_on": "The day the talk was held, as recorded then.",
    "iup_summary": "The summary of the plan as recorded then.",
    "school_actions": "What the school would do, as recorded then.",
    "home_actions": "What the student and guardians could do, as recorded then.",
    "recorded_at": "When that version was recorded.",
    "recorded_by": "Who recorded it.",
    "replaced_at": "When it was recorded again.",
}
TALK_RECORD_REVISION = HeldKind(
    name="dialogue.talkrecordrevision",
    model=TalkRecordRevision,
    label=_("Earlier records of development talks"),
    fields=RECORD_REVISION_FIELDS,
    export=columns(RECORD_REVISION_FIELDS, talk=_id("talk"), recorded_by=named("recorded_by")),
    of_student=where(TalkRecordRevision, "talk__student_id"),
    related=("recorded_by",),
)

# --- action programmes -----------------------------------------------------------------------

PROGRAMME_FIELDS = {
    **ID,
    "subject": SUBJECT,
    "thread": "The number of the programme's thread.",
    "status": "draft, adopted, declined or closed.",
    "created_by": "Who started it.",
    "created_at": "When.",
    "closed_on": "The day the principal closed it; null while open.",
    "closed_by": "Who closed it.",
    "close_reason": "Why it was closed (Markdown).",
}
PROGRAMME = HeldKind(
    name="dialogue.actionprogramme",
    model=ActionProgramme,
    label=_("Action programmes"),
    fields=PROGRAMME_FIELDS,
    export=columns(
        PROGRAMME_FIELDS,
        subject=_subject,
        thread=_id("thread"),
        created_by=named("created_by"),
        closed_by=named("closed_by"),
    ),
    of_student=where(ActionProgramme, "student_id"),
    related=("subject", "created_by", "closed_by"),
)

PROGRAMME_TEXT_FIELDS = {
    "needs": "The student's needs (Markdown).",
    "measures": "The measures and how the school carries them out (Markdown).",
    "responsible": "Who is responsible (Markdown).",
    "follow_up_plan": "The planned follow-ups: a list of {on: YYYY-MM-DD, what}.",
}
VERSION_FIELDS = {
    **ID,
    "programme": "The number of the programme.",
    "number": "The version's number within the programme.",
    "status": "draft, adopted, declined or superseded.",
    **PROGRAMME_TEXT_FIELDS,
    "author": "Who drafted it.",
    "created_at": CREATED,
    "updated_at": "When the draft was last saved.",
    "decided_on": "The day the principal decided it; null for a draft.",
    "decided_by": "The principal who decided.",
    "decision_note": "The decision's note (Markdown).",
}
PROGRAMME_VERSION = HeldKind(
    name="dialogue.programmeversion",
    model=ProgrammeVersion,
    label=_("Versions of action programmes"),
    fields=VERSION_FIELDS,
    export=columns(
        VERSION_FIELDS, programme=_id("programme"), author=named("author"), decided_by=named("decided_by")
    ),
    of_student=where(ProgrammeVersion, "programme__student_id"),
    related=("author", "decided_by"),
)

PROGRAMME_REVISION_FIELDS = {
    **ID,
    "version": "The number of the version (record) the draft belongs to.",
    **PROGRAMME_TEXT_FIELDS,
    "saved_by": "Who saved the draft.",
    "saved_at": "When.",
}
PROGRAMME_REVISION = HeldKind(
    name="dialogue.programmerevision",
    model=ProgrammeRevision,
    label=_("Saved drafts of action programmes"),
    fields=PROGRAMME_REVISION_FIELDS,
    export=columns(PROGRAMME_REVISION_FIELDS, version=_id("version"), saved_by=named("saved_by")),
    of_student=where(ProgrammeRevision, "version__programme__student_id"),
    related=("saved_by",),
)

FOLLOW_UP_FIELDS = {
    **ID,
    "programme": "The number of the programme.",
    "version": "The number of the version (record) that planned it.",
    "due_on": "The day it is planned for.",
    "what_to_check": "What is checked.",
    "replaced_by": "The version that replaced it before it was recorded; null if none.",
    "recorded_on": "The day it was recorded; null until then.",
    "recorded_by": "Who recorded it.",
    "what_was_done": "What was done (Markdown).",
    "works": "yes, partly or no: whether the measures work.",
    "outcome": "The outcome (Markdown).",
}
FOLLOW_UP = HeldKind(
    name="dialogue.followup",
    model=FollowUp,
    label=_("Follow-ups of action programmes"),
    fields=FOLLOW_UP_FIELDS,
    export=columns(
        FOLLOW_UP_FIELDS,
        programme=_id("programme"),
        version=_id("version"),
        replaced_by=_id("replaced_by"),
        recorded_by=named("recorded_by"),
    ),
    of_student=where(FollowUp, "programme__student_id"),
    related=("recorded_by",),
)

VIEW_FIELDS = {
    **ID,
    "programme": "The number of the programme.",
    "version": "The number of the version (record) it was given on.",
    "author": "Who gave it.",
    "body": "The view (Markdown).",
    "created_at": CREATED,
}
PROGRAMME_VIEW = HeldKind(
    name="dialogue.programmeview",
    model=ProgrammeView,
    label=_("Views given on action programmes"),
    fields=VIEW_FIELDS,
    export=columns(VIEW_FIELDS, programme=_id("programme"), version=_id("version"), author=named("author")),
    of_student=where(ProgrammeView, "programme__student_id"),
    of_person=where(ProgrammeView, "author_id"),
    related=("author",),
)

declare(
    GOAL,
    GOAL_REVISION,
    GOAL_REFLECTION,
    SELF_ASSESSMENT,
    TALK_SLOT,
    TALK,
    TALK_ATTENDEE,
    TALK_PREPARATION,
    TALK_RECORD_REVISION,
    PROGRAMME,
    PROGRAMME_VERSION,
    PROGRAMME_REVISION,
    FOLLOW_UP,
    PROGRAMME_VIEW,
)
