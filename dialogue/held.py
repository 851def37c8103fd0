"""The student page's kinds in the register of what is held (``accounts.held``).

Everything on a student's page is the student's record: the page, its threads and messages
(whoever wrote them: the student, the guardians, the staff), its files, and the documents on
it (assessments, goals, self-assessments, talks, action programmes) with their history.

About a person (``of_person``) are the texts anyone on a page may write (messages, views on a
programme, preparations for a talk, reflections), the files they uploaded, how far they have
read, a guardian's attendance at a talk, and a teacher's own tools (talk slots, phrases).
The documents staff keep in the school's name (assessments, programmes, recorded talks) are
the student's record, not the official's: whoever wrote or decided them is named in them
(``author``, ``decided_by``), and they are not about that person. Staff accounts are never
removed by the purge, so those references stay protected.

Goals, talks and action programmes are declared in ``dialogue.held_documents``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.held import ID, HeldKind, clear_reference, columns, declare, named, where
from accounts.models import User
from dialogue.models import (
    Assessment,
    AssessmentForm,
    Attachment,
    Message,
    MessageRevision,
    Phrase,
    ReadProgress,
    ReadState,
    StudentPage,
    Thread,
)

CREATED = "When it was written (ISO 8601 with time zone)."
SUBJECT = "The subject's name, or empty when it concerns no subject."
AREA = "The curriculum area of the subject, or empty."


def _subject(row: Any) -> str:
    return row.subject.name if row.subject_id else ""


def _area(row: Any) -> str:
    return row.area.name if row.area_id else ""


# --- the page and its dialogue ---------------------------------------------------------------

PAGE_FIELDS = {**ID, "created_at": "When the student's page was made."}
PAGE = HeldKind(
    name="dialogue.studentpage",
    model=StudentPage,
    label=_("The student's page"),
    fields=PAGE_FIELDS,
    export=columns(PAGE_FIELDS),
    of_student=where(StudentPage, "student_id"),
)

THREAD_FIELDS = {
    **ID,
    "kind": "general, subject, talk (a development talk), action_programme, private (a "
    "conversation someone started for fewer readers) or support (special support).",
    "title": "The thread's title as the page shows it.",
    "subject": SUBJECT,
    "created_at": "When the thread was made.",
    "audience": "Who reads it: page (everyone who reads the page), adults (the guardians and "
    "the school, not the student) or guardian (one guardian and the school).",
    "guardian": "The one guardian who reads it with the school (audience guardian); empty otherwise.",
    "started_by": "Who started it (a private thread); empty for the threads the page is made with.",
}


def readable_threads(prefix: str) -> Callable[[QuerySet[Any], User], QuerySet[Any]]:
    """The rows of threads the export's requester may read (``policy.readable_threads_q``): a
    private thread's lines go only to its audience, and the registrar's copy of a request by
    post, as staff, holds them all."""

    def readable(rows: QuerySet[Any], requester: User) -> QuerySet[Any]:
        return rows.filter(policy.readable_threads_q(requester, prefix))

    return readable


THREAD = HeldKind(
    name="dialogue.thread",
    model=Thread,
    label=_("Threads on the page"),
    fields=THREAD_FIELDS,
    export=columns(
        THREAD_FIELDS,
        title=lambda row: row.display_title,
        subject=_subject,
        guardian=named("guardian"),
        started_by=named("started_by"),
    ),
    of_student=where(Thread, "page__student_id"),
    related=("subject", "guardian", "started_by"),
    readable=readable_threads(""),
)

MESSAGE_FIELDS = {
    **ID,
    "thread": "The number of the thread it is in.",
    "author": "Who wrote it.",
    "body": "The text as written (Markdown). For a card (a goal, an assessment...) a one-line "
    "summary: the document itself is in its own file.",
    "created_at": CREATED,
    "edited_at": "When it was last edited; null if never (earlier texts: dialogue.messagerevision).",
    "retracted_at": "When it was retracted from the page; null if not. The text stays on record.",
    "retracted_by": "Who retracted it.",
}
MESSAGE = HeldKind(
    name="dialogue.message",
    model=Message,
    label=_("Messages"),
    fields=MESSAGE_FIELDS,
    export=columns(
        MESSAGE_FIELDS,
        thread=lambda row: row.thread_id,
        author=named("author"),
        retracted_by=named("retracted_by"),
    ),
    of_student=where(Message, "page__student_id"),
    of_person=where(Message, "author_id"),
    related=("author", "retracted_by"),
    readable=readable_threads("thread__"),
)

MESSAGE_REVISION_FIELDS = {
    **ID,
    "message": "The number of the message.",
    "body": "The text the message had before an edit.",
    "written_at": "When that text was written.",
    "replaced_at": "When it was replaced by an edit.",
}
MESSAGE_REVISION = HeldKind(
    name="dialogue.messagerevision",
    model=MessageRevision,
    label=_("Earlier texts of edited messages"),
    fields=MESSAGE_REVISION_FIELDS,
    export=columns(MESSAGE_REVISION_FIELDS, message=lambda row: row.message_id),
    of_student=where(MessageRevision, "message__page__student_id"),
    of_person=where(MessageRevision, "message__author_id"),
    readable=readable_threads("message__thread__"),
)

FILE_FIELDS = {
    "display_name": "The file's name as uploaded.",
    "kind": "image or pdf.",
    "content_type": "The file's media type.",
    "size": "Size in bytes.",
    "width": "An image's width in pixels; null for a PDF.",
    "height": "An image's height in pixels; null for a PDF.",
    "sha256": "The SHA-256 checksum of the file's content.",
    "uploaded_at": "When it was uploaded.",
    "uploaded_by": "Who uploaded it.",
}
ATTACHMENT_FIELDS = {
    **ID,
    "message": "The number of the message it was sent with; null if never sent.",
    **FILE_FIELDS,
}
ATTACHMENT = HeldKind(
    name="dialogue.attachment",
    model=Attachment,
    label=_("Files sent in messages"),
    fields=ATTACHMENT_FIELDS,
    export=columns(ATTACHMENT_FIELDS, message=lambda row: row.message_id, uploaded_by=named("uploaded_by")),
    of_student=where(Attachment, "page__student_id"),
    of_person=where(Attachment, "uploaded_by_id"),
    files=lambda row: [row.file] if row.file else [],
    related=("uploaded_by",),
    # A file not sent yet is in no thread (its uploader's own).
    readable=lambda rows, requester: rows.filter(
        Q(message__isnull=True) | policy.readable_threads_q(requester, "message__thread__")
    ),
)

READ_STATE_FIELDS = {
    **ID,
    "thread": "The number of the thread.",
    "reader": "Whose reading this is.",
    "last_read_seq": "How far they have read: the page's event number of the last thing read.",
    "updated_at": "When they last read further.",
}
READ_STATE = HeldKind(
    name="dialogue.readstate",
    model=ReadState,
    label=_("How far each reader has read"),
    fields=READ_STATE_FIELDS,
    export=columns(READ_STATE_FIELDS, thread=lambda row: row.thread_id, reader=named("user")),
    of_student=where(ReadState, "thread__page__student_id"),
    of_person=where(ReadState, "user_id"),
    related=("user",),
    readable=readable_threads("thread__"),
)

READ_PROGRESS_FIELDS = {
    **ID,
    "thread": "The number of the thread.",
    "reader": "Whose reading this is.",
    "seq": "How far they had read: the page's event number of the last thing read.",
    "read_at": "When their reading got that far (the read receipts' time).",
}
READ_PROGRESS = HeldKind(
    name="dialogue.readprogress",
    model=ReadProgress,
    label=_("When each reader read further"),
    fields=READ_PROGRESS_FIELDS,
    export=columns(READ_PROGRESS_FIELDS, thread=lambda row: row.thread_id, reader=named("user")),
    of_student=where(ReadProgress, "thread__page__student_id"),
    of_person=where(ReadProgress, "user_id"),
    related=("user",),
    readable=readable_threads("thread__"),
)

# --- written assessments --------------------------------------------------------------------

ASSESSMENT_FORM_FIELDS = {
    **ID,
    "school": "The school whose form it is.",
    "use_levels": "Whether assessments give a knowledge level per curriculum area.",
    "period": "year or term: how often assessments are given.",
    "updated_at": "When the form was last changed.",
}
# The form is the school's, not the person's: it names the principal only as who changed it
# last. Removing that person clears the name and keeps the form.
ASSESSMENT_FORM = HeldKind(
    name="dialogue.assessmentform",
    model=AssessmentForm,
    label=_("Assessment forms changed"),
    fields=ASSESSMENT_FORM_FIELDS,
    export=columns(ASSESSMENT_FORM_FIELDS, school=lambda row: row.school.name),
    of_person=where(AssessmentForm, "updated_by_id"),
    remove=clear_reference("updated_by"),
    related=("school",),
)

ASSESSMENT_FIELDS = {
    **ID,
    "subject": SUBJECT,
    "school_year": "The school year it assesses.",
    "term": "HT or VT when the school assesses per term; empty when per school year.",
    "status": "draft or published.",
    "version": "1, or higher for a correction.",
    "corrects": "The number of the assessment this one corrects; null for a first version.",
    "use_levels": "Whether it gives a knowledge level per curriculum area.",
    "levels": "The knowledge level per curriculum area: {area number: not_yet, acceptable or more}.",
    "can_text": "What the student can (Markdown).",
    "develop_text": "How the student develops further (Markdown).",
    "author": "The teacher who wrote it.",
    "created_at": CREATED,
    "updated_at": "When it was last saved.",
    "published_at": "When it was published; null for a draft.",
    "published_by": "Who published it.",
}
ASSESSMENT = HeldKind(
    name="dialogue.assessment",
    model=Assessment,
    label=_("Written assessments"),
    fields=ASSESSMENT_FIELDS,
    export=columns(
        ASSESSMENT_FIELDS,
        subject=_subject,
        school_year=lambda row: row.school_year.label,
        corrects=lambda row: row.corrects_id,
        author=named("author"),
        published_by=named("published_by"),
    ),
    of_student=where(Assessment, "student_id"),
    related=("subject", "school_year", "author", "published_by"),
)

PHRASE_FIELDS = {**ID, "subject": SUBJECT, "text": "The phrase.", "created_at": CREATED}
# A teacher's own tool for writing assessments: about the teacher, in no student's record.
PHRASE = HeldKind(
    name="dialogue.phrase",
    model=Phrase,
    label=_("Saved phrases for assessments"),
    fields=PHRASE_FIELDS,
    export=columns(PHRASE_FIELDS, subject=_subject),
    of_person=where(Phrase, "owner_id"),
    related=("subject",),
)

declare(
    PAGE,
    THREAD,
    MESSAGE,
    MESSAGE_REVISION,
    ATTACHMENT,
    READ_STATE,
    READ_PROGRESS,
    ASSESSMENT_FORM,
    ASSESSMENT,
    PHRASE,
)
