"""The principal's follow-up overview lists exactly the students who lack what the rules
require, and costs the same number of queries for a school of any size."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from dialogue.actions import talks
from dialogue.actions.action_programmes import decide_programme, draft_programme
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.overview import school_follow_up
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db


def _assess(cast: Cast, student, subject, teacher=None, publish: bool = True) -> None:
    draft, _findings = save_draft(
        teacher or cast.teacher, cast.class_4a, student, subject, levels={}, can_text="Text.", develop_text=""
    )
    if publish:
        publish_assessment(teacher or cast.teacher, draft.pk)


def _missing(cast: Cast) -> dict[str, dict[str, list[str]]]:
    return {
        row.school_class.name: {
            missing.student.username: [subject.code for subject in missing.subjects]
            for missing in row.missing_assessments
        }
        for row in school_follow_up(cast.school)
    }


def test_the_overview_lists_exactly_the_students_without_a_published_assessment(cast: Cast) -> None:
    # 4A is taught maths (teacher) and had English (former_teacher, ended); 4B Swedish.
    swedish_teacher = p.create_person(SYSTEM, username="sv.larare", first_name="Sara", last_name="Svensson")
    m.assign_teaching(SYSTEM, swedish_teacher, cast.class_4a, cast.swedish)
    classmate = p.create_person(SYSTEM, username="klasskamrat", first_name="Kim", last_name="Klass")
    m.enrol_student(SYSTEM, classmate, cast.class_4a)
    # A class in grade 7 is not required to have assessments.
    class_7 = s.create_class(SYSTEM, cast.school, cast.class_4a.school_year, name="7A", grade=7)
    m.assign_teaching(SYSTEM, cast.teacher, class_7, cast.maths)
    older = p.create_person(SYSTEM, username="sjuan", first_name="Sju", last_name="Ans")
    m.enrol_student(SYSTEM, older, class_7)

    assert _missing(cast) == {
        "4A": {"anna.andersson": ["SV", "MA"], "klasskamrat": ["SV", "MA"]},
        "4B": {"olle.nilsson": ["SV"]},
        "7A": {},
    }
    _assess(cast, cast.student, cast.maths)  # published
    _assess(cast, classmate, cast.maths, publish=False)  # a draft does not count
    _assess(cast, cast.student, cast.swedish, teacher=swedish_teacher)
    assert _missing(cast) == {
        "4A": {"klasskamrat": ["SV", "MA"]},
        "4B": {"olle.nilsson": ["SV"]},
        "7A": {},
    }


def test_the_follow_up_page_links_each_student_and_does_not_grow_in_queries(cast: Cast) -> None:
    client = verified_client(cast.principal)
    url = f"/schools/{cast.school.pk}/follow-up/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    # session, user, device; the school; classes, enrolments, teaching, published
    # assessments, the term, talks this term; flagged texts waiting; follow-ups due
    assert count() == 3 + 9
    for index in range(10):
        pupil = p.create_person(SYSTEM, username=f"elev{index}", first_name="Elev", last_name=f"{index:02d}")
        m.enrol_student(SYSTEM, pupil, cast.class_4b if index % 2 else cast.class_4a)
    s.create_class(SYSTEM, cast.school, cast.class_4a.school_year, name="3C", grade=3)
    assert count() == 3 + 9
    body = client.get(url).content.decode()
    assert f'href="/students/{cast.student.pk}/"' in body
    assert client.get(f"{url}?class={cast.class_4b.pk}").context["shown"][0].school_class == cast.class_4b


def test_the_overview_lists_the_students_without_a_talk_this_term(cast: Cast) -> None:
    def without_talk() -> dict[str, list[str]]:
        return {
            row.school_class.name: [student.username for student in row.without_talk]
            for row in school_follow_up(cast.school)
        }

    assert without_talk() == {"4A": ["anna.andersson"], "4B": ["olle.nilsson"]}
    # A talk today at 00:05 (booked the day before) is in this term whatever the date.
    today = timezone.localdate()
    yesterday = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time(0, 5))
    ) - datetime.timedelta(days=1)
    slots = talks.open_talk_slots(
        cast.teacher,
        cast.class_4a,
        day=today,
        start=datetime.time(0, 5),
        minutes=30,
        place="Klassrummet",
        now=yesterday,
    )
    talk = talks.book_talk(cast.guardian_1, cast.student, slots[0].pk, now=yesterday)
    assert without_talk() == {"4A": [], "4B": ["olle.nilsson"]}
    talks.cancel_booking(cast.guardian_1, talk, now=yesterday)  # a cancelled talk does not count
    assert without_talk() == {"4A": ["anna.andersson"], "4B": ["olle.nilsson"]}


def test_the_follow_up_page_lists_action_programmes_due_with_a_link(cast: Cast) -> None:
    today = timezone.localdate()
    programme = draft_programme(
        cast.teacher,
        cast.student,
        subject=cast.maths,
        needs="Stöd i taluppfattning.",
        measures="Extra genomgång.",
        responsible="Speciallärare",
        follow_ups=[(today + datetime.timedelta(days=3), "Hur går det?")],
    )
    client = verified_client(cast.principal)
    url = f"/schools/{cast.school.pk}/follow-up/"
    assert client.get(url).context["follow_ups"] == []  # a draft has no follow-ups due
    decide_programme(cast.principal, programme.pk, adopt=True)
    response = client.get(url)
    assert [p.pk for p in response.context["follow_ups"]] == [programme.pk]
    assert (
        f'href="/students/{cast.student.pk}/action-programmes/{programme.pk}/"' in response.content.decode()
    )
