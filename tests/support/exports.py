"""A full student page for the export's tests, made through the real actions, and a
classmate with messages and a blog post of their own that must never reach it."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

from classblog.actions import change_settings, write_post
from classblog.models import ClassBlog
from dialogue import doors
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.actions.self_assessments import write_self_assessment
from dialogue.models import Thread
from notifications.fanout import fan_out_waiting
from records.exports.jobs import run_exports
from records.models import DataExport
from tests.support.cast import Cast
from tests.support.dialogue import (
    action_programme_objects,
    assessment_objects,
    dialogue_objects,
    goal_objects,
)
from tests.support.talks import talk_objects
from writing.uploads import private_storage

# Words of the classmate's own that must not appear anywhere in another child's export.
CLASSMATE_MESSAGES = ("Olles hemliga meddelande om fotbollen", "Saras fråga om Olles läxa")
CLASSMATE_POST = ("Olles egen bloggpost", "Min katt heter Morris")


def full_page(cast: Cast) -> dict[str, Any]:
    """The student's page with messages by staff, the student and both guardians, an
    attachment, an assessment, goals, a self-assessment, talks, an action programme, a blog
    post by the student, notifications and openings of the page."""
    objects = {
        **dialogue_objects(cast),
        **assessment_objects(cast),
        **talk_objects(cast),
        **action_programme_objects(cast),
        **goal_objects(cast),
    }
    page, thread = objects["page"], objects["thread"]
    for author, body in (
        (cast.teacher, "Anna har jobbat bra i veckan."),
        (cast.student, "Tack! Jag gillar matte."),
    ):
        post_message(author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())
    objects["self_assessment"] = write_self_assessment(
        cast.student, cast.student, goal_id=objects["goal"].pk, level="well", text="Det går bra."
    )
    change_settings(cast.teacher, cast.class_4a, student_posts=True, comments=ClassBlog.Comments.CLASS)
    objects["student_post"] = write_post(
        cast.student, cast.class_4a, title="Min hund", body="Han heter Sixten.", client_id=uuid.uuid4()
    )
    # Openings of the page (the access log writes them where it listens).
    for viewer in (cast.teacher, cast.guardian_1, cast.principal):
        doors.student_page(viewer, cast.student)
    fan_out_waiting()
    return objects


def busy_classmate(cast: Cast) -> None:
    """The classmate (4B) with messages by themself and their guardian and a blog post."""
    page = page_of(cast.other_student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    post_message(
        cast.other_student, page, thread_id=thread.pk, body=CLASSMATE_MESSAGES[0], client_id=uuid.uuid4()
    )
    post_message(
        cast.other_guardian, page, thread_id=thread.pk, body=CLASSMATE_MESSAGES[1], client_id=uuid.uuid4()
    )
    change_settings(cast.other_teacher, cast.class_4b, student_posts=True, comments=ClassBlog.Comments.CLASS)
    write_post(
        cast.other_student,
        cast.class_4b,
        title=CLASSMATE_POST[0],
        body=CLASSMATE_POST[1],
        client_id=uuid.uuid4(),
    )
    doors.student_page(cast.other_teacher, cast.other_student)
    fan_out_waiting()


def build_ready(export: DataExport) -> DataExport:
    """Run the worker's job until the export is built; the export as stored then."""
    for _round in range(10):
        run_exports()
        export.refresh_from_db()
        if export.status not in DataExport.IN_PROGRESS:
            return export
    raise AssertionError(f"export {export.pk} was not built")


def open_zip(export: DataExport) -> zipfile.ZipFile:
    with private_storage().open(export.file, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))
