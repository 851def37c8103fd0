"""A school where every kind of record the register declares has rows, made with the real
actions: the cast's student with a full page, a classmate of the student (4A) who comments on
the student's blog post, and the other student (4B) with a page of their own."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from accounts.actions import SYSTEM, identity
from accounts.actions.login import record_password_check
from accounts.actions.otp import install_authenticator, regenerate_recovery_codes
from accounts.models import Leaving, User
from classblog.actions import edit_post, write_post
from classblog.actions.files import FileChoice, upload_file
from dialogue.actions.action_programmes import give_view
from dialogue.actions.assessments import set_assessment_form
from dialogue.actions.goals import edit_goal, reflect_on_goal, set_goal
from dialogue.actions.messages import edit_message, mark_read, post_message
from dialogue.actions.pages import page_of
from dialogue.actions.self_assessments import write_self_assessment
from dialogue.actions.talks import add_preparation, record_talk
from dialogue.models import Thread
from notifications import actions as notices
from notifications.fanout import fan_out_waiting
from records.models import DataExport, Opening, RetentionRule, ReviewMark
from roster.models import RosterRun, RosterRunSchool
from tests.support.blog import approved_post, classmate, comment, published_post, set_blog
from tests.support.cast import Cast
from tests.support.dialogue import (
    action_programme_objects,
    assessment_objects,
    dialogue_objects,
    goal_objects,
    png_bytes,
)
from tests.support.release import released_with_masking
from tests.support.support import support_objects
from tests.support.talks import talk_objects

# Words of other children that must never be in the student's rows or their export.
CLASSMATE_COMMENT = "Bertils kommentar om fågelholken"
OTHER_STUDENTS_MESSAGE = "Olle har glömt sin gympapåse"
SUBSCRIPTION = {
    "p256dh": "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk",
    "auth": "Q2BoAjC09xH3ywDLNJr-dA",
}


@dataclass
class World:
    cast: Cast
    classmate: User
    classmate_guardian: User
    objects: dict[str, Any]

    def other_children(self) -> list[User]:
        return [self.cast.other_student, self.classmate]


def _general(student: User) -> tuple[Any, Thread]:
    page = page_of(student)
    return page, page.threads.get(kind=Thread.Kind.GENERAL)


def build_world(cast: Cast) -> World:
    objects: dict[str, Any] = {}
    # The student's page: messages with an attachment, an edit, reading, a flagged text.
    objects.update(dialogue_objects(cast))
    page, thread = objects["page"], objects["thread"]
    edit_message(cast.guardian_1, objects["message"].pk, body="Anna har ritat en teckning.")
    mark_read(cast.student, page, thread_id=thread.pk, seq=page.messages.order_by("-seq").first().seq)
    # Assessments (the teacher's phrase too) and the school's form.
    objects.update(assessment_objects(cast))
    set_assessment_form(cast.principal, cast.school.pk, use_levels=True, period="year")
    # Goals, a revision, a reflection and a self-assessment.
    objects.update(goal_objects(cast))
    goal = objects["goal"]
    edit_goal(cast.teacher, goal.pk, text="Anna ska kunna tabellerna 1–6.")
    reflect_on_goal(cast.student, goal.pk, text="Jag övar varje kväll.")
    write_self_assessment(cast.student, cast.student, level="well", goal_id=goal.pk, text="Det går bra.")
    # Development talks: one booked with a preparation, one held and recorded twice.
    objects.update(talk_objects(cast))
    add_preparation(cast.student, objects["talk"], body="Jag vill prata om rasterna.")
    held = objects["past_talk"]
    for summary in ("Anna läser mer.", "Anna läser mer och räknar."):
        record_talk(
            cast.teacher,
            held,
            held_on=timezone.localdate() - datetime.timedelta(days=7),
            iup_summary=summary,
            school_actions="Lästräning.",
            home_actions="Läsa hemma.",
        )
    # An action programme with a view from a guardian.
    objects.update(action_programme_objects(cast))
    give_view(cast.guardian_1, objects["programme"].pk, body="Vi tycker att planen är bra.")
    # Special support: an adaptation followed up, a report being investigated, a view.
    objects.update(support_objects(cast))

    # The class blog: the student's approved post with an image, edited; a classmate's
    # comment on it; the student's own comment on the teacher's post.
    set_blog(cast, comments="class")
    mate, mate_guardian = classmate(cast)
    image = upload_file(cast.student, cast.class_4a, name="holk.png", data=png_bytes())
    post = approved_post(cast, files=[FileChoice(image.pk, alt_text="En fågelholk")])
    edit_post(cast.student, post, title="Vår nya fågelholk", body="Den hänger i tallen.")
    comment(mate, post, body=CLASSMATE_COMMENT)
    teachers_post = published_post(cast)
    comment(cast.student, teachers_post, body="Jag tar med matsäck!")
    objects.update(post=post, teachers_post=teachers_post, image=image)
    unattached = upload_file(cast.student, cast.class_4a, name="utkast.png", data=png_bytes(colour="red"))
    objects["unattached_file"] = unattached
    write_post(mate, cast.class_4a, title="Bertils post", body="Min egen text.", client_id=uuid.uuid4())

    # The other student's page, with the other student's teacher and guardian.
    other_page, other_thread = _general(cast.other_student)
    post_message(
        cast.other_guardian,
        other_page,
        thread_id=other_thread.pk,
        body=OTHER_STUDENTS_MESSAGE,
        client_id=uuid.uuid4(),
    )
    set_goal(cast.other_teacher, cast.other_student, subject=cast.swedish, text="Olle läser högt.")

    # Notifications: choices, a device for pushes, and the worker's fan-out of every event.
    notices.subscribe_push(cast.student, endpoint="https://push.example.org/anna/1", **SUBSCRIPTION)
    notices.subscribe_push(cast.other_student, endpoint="https://push.example.org/olle/1", **SUBSCRIPTION)
    notices.save_settings(
        cast.student,
        email_mode="digest",
        digest_hour=17,
        quiet_from="21:00",
        quiet_until="07:00",
        quiet_weekends=True,
        choices={("messages", "push"): False},
    )
    fan_out_waiting()

    # Login: an authenticator with recovery codes, and a password attempt.
    install_authenticator(SYSTEM, cast.student, key_hex="3132333435363738393031323334353637383930")
    regenerate_recovery_codes(cast.student)
    record_password_check(cast.student.username, "192.0.2.7", succeeded=True)
    record_password_check(cast.other_student.username, "192.0.2.8", succeeded=False)
    # The school administration's log, as the admin writes it when a person is changed.
    LogEntry.objects.log_actions(
        cast.school_admin.pk, [cast.student], CHANGE, change_message="Changed e-mail.", single_object=True
    )

    # The records floor's rows. Their actions (the access log at the doors, the review, the
    # export, leaving) are built by other parts of this issue; until then the rows are made
    # as those actions will make them.
    opening = Opening.objects.create(
        viewer=cast.teacher, role=Opening.Role.TEACHER, student=cast.student, what="page"
    )
    Opening.objects.create(
        viewer=cast.guardian_1, role=Opening.Role.GUARDIAN, student=cast.student, what="page"
    )
    Opening.objects.create(viewer=cast.student, role=Opening.Role.STUDENT, student=cast.student, what="page")
    Opening.objects.create(
        viewer=cast.other_teacher, role=Opening.Role.TEACHER, student=cast.other_student, what="page"
    )
    Opening.objects.create(
        viewer=cast.other_student, role=Opening.Role.STUDENT, student=cast.other_student, what="page"
    )
    ReviewMark.objects.create(school=cast.school, opening=opening, checked_by=cast.principal, note="Mentor.")
    ReviewMark.objects.create(
        school=cast.school, viewer=cast.student, day=timezone.localdate(), checked_by=cast.principal
    )
    DataExport.objects.create(
        scope=DataExport.Scope.STUDENT, subject=cast.student, requested_by=cast.guardian_1
    )
    DataExport.objects.create(scope=DataExport.Scope.PERSON, subject=cast.student, requested_by=cast.student)
    DataExport.objects.create(
        scope=DataExport.Scope.STUDENT, subject=cast.other_student, requested_by=cast.other_guardian
    )
    RetentionRule.objects.filter(applies_to=RetentionRule.AppliesTo.STUDENT_RECORDS).update(
        updated_by=cast.principal
    )
    objects["release"] = released_with_masking(cast, objects["message"], "en teckning")
    Leaving.objects.create(
        student=cast.student,
        left_on=timezone.localdate(),
        reason=Leaving.Reason.MOVED_ABROAD,
        recorded_by=cast.school_admin,
    )
    # From the student register: school accounts, and a run a school administrator asked for.
    identity.set_school_account_names(SYSTEM, cast.student, ["anna.andersson@skola.example.se"])
    identity.set_school_account_names(SYSTEM, cast.other_student, ["olle.nilsson@skola.example.se"])
    run = RosterRun.objects.create(
        trigger=RosterRun.Trigger.MANUAL, school=cast.school, requested_by=cast.school_admin
    )
    RosterRunSchool.objects.create(
        run=run, school=cast.school, source_id="a-school", name=cast.school.name, status="unchanged"
    )
    return World(cast=cast, classmate=mate, classmate_guardian=mate_guardian, objects=objects)
