"""A student with a full page, a classmate with their own, the class blogs of two years and
the school around them, made through the real actions; and counts through the register of
what is held, to compare before and after a purge.

Two things are written directly, until their actions exist on this branch: the leaving
(``accounts.models.Leaving``, the archive's action records it) and the access-log rows
(``records.models.Opening``, the doors write them)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from accounts.actions import SYSTEM
from accounts.actions import structure as s
from accounts.held import kinds
from accounts.models import Leaving, School, SchoolClass, SchoolYear, StaffRole, Subject, User
from classblog.actions import FileChoice, approve_post, upload_file
from classblog.models import ClassBlog
from dialogue import doors
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.actions.self_assessments import write_self_assessment
from dialogue.models import Thread
from notifications.fanout import fan_out_waiting
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.blog import allow_student_posts, classmate, pending_post, published_post
from tests.support.cast import Cast
from tests.support.dialogue import (
    action_programme_objects,
    assessment_objects,
    dialogue_objects,
    goal_objects,
    png_bytes,
)
from tests.support.exports import build_ready
from tests.support.release import released_with_masking, stored_files
from tests.support.talks import talk_objects
from writing.uploads import private_storage


@dataclass
class World:
    cast: Cast
    classmate: User
    classmate_guardian: User
    later_class: SchoolClass
    files: list[str] = field(default_factory=list)  # the student's stored files
    classmate_files: list[str] = field(default_factory=list)


def record_leaving(
    student: User, left_on: datetime.date, reason: str = Leaving.Reason.MOVED_ABROAD
) -> Leaving:
    """A leaving as it stands in the records, possibly years back (before the cast's
    enrolments began, which ``accounts.actions.leaving.record_leaving`` rightly refuses):
    the purge reads only the standing leaving's date."""
    return Leaving.objects.create(student=student, left_on=left_on, reason=reason, note="")


def message_with_file(author: User, student: User, body: str) -> str:
    """A message on the student's page with an image; returns the file's storage name."""
    page = page_of(student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    attachment = upload_attachment(author, page, name="bild.png", data=png_bytes())
    post_message(
        author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4(), attachment_ids=[attachment.pk]
    )
    return str(attachment.file.name)


def open_page(viewer: User, student: User) -> None:
    """An opening of the student's page through its door (the access log's receiver writes it)."""
    doors.student_page(viewer, student.pk)


def build_world(cast: Cast) -> World:
    """The cast's student (4A) with a full page: messages with a guardian's image, a
    published assessment, goals, a self-assessment, talks, an adopted action programme, a
    blog post of their own with an image, notifications and openings in the access log. A
    classmate (4A) with a page of their own, the teacher's post in 4A's blog, and a class
    of the next school year with a blog post of its own."""
    objects = dialogue_objects(cast)
    files = [str(objects["attachment"].file.name)]
    assessment_objects(cast)
    goals = goal_objects(cast)
    write_self_assessment(
        cast.student, cast.student, goal_id=goals["goal"].pk, level="well", text="Det går bra."
    )
    talk_objects(cast)
    action_programme_objects(cast)
    files.append(message_with_file(cast.student, cast.student, "Här är min teckning."))

    allow_student_posts(cast)
    image = upload_file(cast.student, cast.class_4a, name="holk.png", data=png_bytes())
    files.append(str(image.file.name))
    approve_post(cast.teacher, pending_post(cast, files=[FileChoice(image.pk, alt_text="En fågelholk")]))
    published_post(cast, title="Läxa till fredag", body="Läs kapitel 3.")

    mate, parent = classmate(cast)
    classmate_files = [message_with_file(parent, mate, "Bertil har ritat en häst.")]

    this_year = cast.class_4a.school_year
    next_year = s.ensure_school_year(SYSTEM, this_year.ends_on + datetime.timedelta(days=1))
    later_class = s.create_class(SYSTEM, cast.school, next_year, name="5A", grade=5)
    # The principal writes in the next year's blog on its first day (the policy's clock moved).
    with mock.patch("accounts.policy.base.today", return_value=next_year.starts_on):
        later_image = upload_file(cast.principal, later_class, name="schema.png", data=png_bytes())
        published_post(
            cast,
            author=cast.principal,
            school_class=later_class,
            title="Välkomna till femman",
            files=[FileChoice(later_image.pk, alt_text="Schemat")],
        )
    classmate_files.append(str(later_image.file.name))  # not the student's: stays

    fan_out_waiting(limit=500)
    open_page(cast.teacher, cast.student)
    open_page(cast.guardian_1, cast.student)
    open_page(cast.student, cast.student)
    open_page(cast.teacher, mate)
    # A guardian's copy of everything about the student, built by the worker's job: its ZIP
    # is a file about the student too.
    export = build_ready(
        request_export(cast.guardian_1, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk)
    )
    assert export.status == DataExport.Status.READY
    files.append(export.file)
    # A request for public records, released with masking: its copy and decision are stored.
    files.extend(stored_files(released_with_masking(cast, objects["message"], "ritat")))
    return World(cast, mate, parent, later_class, files, classmate_files)


def counts_about(student_id: int) -> dict[str, int]:
    """Every declared kind's rows about the student, counted through the register."""
    counts = {}
    for held in kinds():
        rows = held.rows_about_student(student_id)
        if rows is not None:
            counts[held.name] = rows.count()
    return counts


def counts_in_blog(blog_id: int) -> dict[str, int]:
    return {held.name: held.of_blog(blog_id).count() for held in kinds() if held.of_blog is not None}


def school_counts() -> dict[str, int]:
    """The school's structure and staff, which no purge touches."""
    staff = User.objects.filter(staff_roles__isnull=False) | User.objects.filter(
        teaching_assignments__isnull=False
    )
    return {
        "schools": School.objects.count(),
        "classes": SchoolClass.objects.count(),
        "years": SchoolYear.objects.count(),
        "subjects": Subject.objects.count(),
        "staff roles": StaffRole.objects.count(),
        "staff": staff.distinct().count(),
        "blogs": ClassBlog.objects.count(),
    }


def on_disk(name: str) -> bool:
    return Path(private_storage().path(name)).exists()


def all_counts(world: World) -> dict[str, Any]:
    """What must not change when the student is purged."""
    later_blog = ClassBlog.objects.get(school_class=world.later_class)
    return {
        "classmate": counts_about(world.classmate.pk),
        "classmate guardian": counts_about(world.classmate_guardian.pk),
        "later blog": counts_in_blog(later_blog.pk),
        "school": school_counts(),
    }
