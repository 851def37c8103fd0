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
from dialogue.actions.assessments import publish_assessment, save_draft, set_assessment_form
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
    """Per class, per subject taught: the students without a published assessment."""
    return {
        row.school_class.name: {
            cell.subject.code: [student.username for student in cell.missing]
            for cell in row.subjects.values()
            if cell.missing
        }
        for row in school_follow_up(cast.school).classes
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
        "4A": {"SV": ["anna.andersson", "klasskamrat"], "MA": ["anna.andersson", "klasskamrat"]},
        "4B": {"SV": ["olle.nilsson"]},
        "7A": {},
    }
    _assess(cast, cast.student, cast.maths)  # published
    _assess(cast, classmate, cast.maths, publish=False)  # a draft does not count
    _assess(cast, cast.student, cast.swedish, teacher=swedish_teacher)
    assert _missing(cast) == {
        "4A": {"SV": ["klasskamrat"], "MA": ["klasskamrat"]},
        "4B": {"SV": ["olle.nilsson"]},
        "7A": {},
    }
    overview = school_follow_up(cast.school)
    # The table: subjects in their order, one column per class in grades 1-5 (not 7A).
    assert [row.school_class.name for row in overview.assessed_classes] == ["4A", "4B"]
    assert [
        (subject.code, [(cell.published, cell.expected) if cell else None for cell in cells])
        for subject, cells in overview.table()
    ] == [("SV", [(1, 2), (0, 1)]), ("MA", [(1, 2), None])]
    class_4a = overview.assessed_classes[0]
    assert (class_4a.missing_count, class_4a.published_count, class_4a.expected_count) == (2, 2, 4)


def test_the_follow_up_page_links_each_student_and_does_not_grow_in_queries(cast: Cast) -> None:
    client = verified_client(cast.principal)
    url = f"/schools/{cast.school.pk}/follow-up/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    # session, user, device; the school; classes, enrolments, teaching, the term, the
    # school's assessment form, published assessments, talks this term; flagged texts
    # waiting; follow-ups due; reports waiting, investigations and adaptations overdue
    assert count() == 3 + 13
    for index in range(10):
        pupil = p.create_person(SYSTEM, username=f"elev{index}", first_name="Elev", last_name=f"{index:02d}")
        m.enrol_student(SYSTEM, pupil, cast.class_4b if index % 2 else cast.class_4a)
    class_3c = s.create_class(SYSTEM, cast.school, cast.class_4a.school_year, name="3C", grade=3)
    m.assign_teaching(SYSTEM, cast.teacher, class_3c, cast.maths)
    assert count() == 3 + 13
    url = f"{url}?class={cast.class_4a.pk}&subject={cast.maths.pk}"  # a cell opened
    assert count() == 3 + 13
    body = client.get(url).content.decode()
    assert f'href="/students/{cast.student.pk}/"' in body
    classes_only = f"/schools/{cast.school.pk}/follow-up/?class={cast.class_4b.pk}"
    assert client.get(classes_only).context["shown"][0].school_class == cast.class_4b


def test_the_overview_lists_the_students_without_a_talk_this_term(cast: Cast) -> None:
    def without_talk() -> dict[str, list[str]]:
        return {
            row.school_class.name: [student.username for student in row.without_talk]
            for row in school_follow_up(cast.school).classes
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


def _cell(html: str, class_id: int, subject_id: int) -> str:
    start = html.index(f'data-cell="{class_id}-{subject_id}"')
    return html[start : html.index("</td>", start)]


def test_the_follow_up_is_a_class_by_subject_table_with_counts_and_a_list_per_cell(cast: Cast) -> None:
    """A cell says how many lack an assessment out of how many should have one and links to
    who they are; not the wall of subject names per student it was."""
    classmate = p.create_person(SYSTEM, username="klasskamrat", first_name="Kim", last_name="Klass")
    m.enrol_student(SYSTEM, classmate, cast.class_4a)
    _assess(cast, cast.student, cast.maths)
    client = verified_client(cast.principal)
    url = f"/schools/{cast.school.pk}/follow-up/"
    html = client.get(url).content.decode()
    assert 'data-testid="follow-up-matrix"' in html
    assert 'tabindex="0" role="region"' in html  # scrolls on a phone, reachable by keyboard
    maths = _cell(html, cast.class_4a.pk, cast.maths.pk)
    assert "1 av 2 publicerade" in maths
    drill = f"?class={cast.class_4a.pk}&amp;subject={cast.maths.pk}#missing-list"
    assert f'href="{drill}"' in maths
    assert "1 saknas" in maths
    # 4B is taught Swedish only: nothing in its maths cell, no list of students by default.
    assert f'data-cell="{cast.class_4b.pk}-{cast.maths.pk}"' not in html
    assert 'data-testid="missing-students"' not in html

    response = client.get(url, {"class": cast.class_4a.pk, "subject": cast.maths.pk})
    listed = response.content.decode()
    assert 'id="missing-list"' in listed
    names = listed[listed.index('data-testid="missing-students"') :]
    names = names[: names.index("</ul>")]
    assert f'href="/students/{classmate.pk}/"' in names
    assert f'href="/students/{cast.student.pk}/"' not in names  # hers is published


@pytest.mark.parametrize(
    "query",
    [
        {"class": "abc", "subject": "1"},
        {"class": "999999", "subject": "999999"},
        {"subject": "99999999999999999999"},
        {"class": "-1"},
    ],
)
def test_a_cell_that_is_not_in_the_table_shows_the_whole_page(cast: Cast, query: dict[str, str]) -> None:
    response = verified_client(cast.principal).get(f"/schools/{cast.school.pk}/follow-up/", query)
    assert response.status_code == 200
    assert response.context["drill"] is None
    assert len(response.context["shown"]) == 2


def test_assessments_given_per_term_count_in_this_term_only(cast: Cast) -> None:
    _assess(cast, cast.student, cast.maths)
    assert "MA" not in _missing(cast)["4A"]
    # Given once per year, it is not this term's once the principal chooses once per term.
    set_assessment_form(cast.principal, cast.school.pk, use_levels=True, period="term")
    assert _missing(cast)["4A"]["MA"] == ["anna.andersson"]
    assert school_follow_up(cast.school).term in {"HT", "VT"}
    _assess(cast, cast.student, cast.maths)
    assert "MA" not in _missing(cast)["4A"]
