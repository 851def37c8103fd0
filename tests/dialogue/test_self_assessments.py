"""Self-assessments through the action and the page: only the student writes them, about a
goal or a subject (area); the three-step scale; bad input; the guard; the cards."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.errors import Refused, SensitiveText
from accounts.models import CurriculumArea
from dialogue import queries
from dialogue.actions import goals as g
from dialogue.actions.self_assessments import write_self_assessment
from dialogue.flags import FlagSource
from dialogue.models import Goal, Message, SelfAssessment, StudentPage, Thread
from tests.support.cast import ROLES, Cast
from tests.support.clients import verified_client
from writing.models import FlaggedText

pytestmark = pytest.mark.django_db

PEOPLE = [role for role in ROLES if role != "anonymous"]
READERS = {"student", "guardian_1", "guardian_2", "teacher", "principal"}


def maths_goal(cast: Cast) -> Goal:
    return g.set_goal(cast.teacher, cast.student, subject=cast.maths, text="Anna ska kunna tabellerna 1–5.")


def card_message(assessment: SelfAssessment) -> Message:
    assert assessment.message_id is not None
    return Message.objects.select_related("thread").get(pk=assessment.message_id)


def url(cast: Cast) -> str:
    return reverse("self-assessments", args=[cast.student.pk])


def test_the_scale_is_the_three_student_friendly_steps() -> None:
    # Swedish: "Jag behöver mer hjälp" / "Det går ganska bra" / "Det går bra".
    with translation.override("en"):
        assert [(value, str(label)) for value, label in SelfAssessment.Level.choices] == [
            ("needs_help", "I need more help"),
            ("fairly_well", "It is going fairly well"),
            ("well", "It is going well"),
        ]


@pytest.mark.parametrize("role", PEOPLE)
def test_only_the_student_writes_a_self_assessment(cast: Cast, role: str) -> None:
    person = cast.person(role)
    assert person is not None
    goal = maths_goal(cast)
    if role == "student":
        assessment = write_self_assessment(person, cast.student, goal_id=goal.pk, level="well", text="Bra!")
        assert (assessment.student, assessment.goal, assessment.subject) == (cast.student, goal, cast.maths)
    else:
        with pytest.raises(PermissionDenied):
            write_self_assessment(person, cast.student, goal_id=goal.pk, level="well")
        assert not SelfAssessment.objects.exists()


def test_a_student_cannot_self_assess_on_another_students_page(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        write_self_assessment(cast.other_student, cast.student, subject=cast.maths, level="well")
    with pytest.raises(PermissionDenied):
        write_self_assessment(cast.student, cast.other_student, subject=cast.swedish, level="well")
    assert not SelfAssessment.objects.exists()


def test_about_a_goal_the_card_is_in_the_goals_thread(cast: Cast) -> None:
    goal = maths_goal(cast)
    assessment = write_self_assessment(
        cast.student, cast.student, goal_id=goal.pk, level="fairly_well", text="Femman är **svår**."
    )
    message = card_message(assessment)
    assert (message.thread.kind, message.thread.subject) == (Thread.Kind.SUBJECT, cast.maths)
    assert message.author == cast.student
    assert message.seq == StudentPage.objects.get(student=cast.student).last_seq
    card = message.card
    assert card is not None
    assert card["type"] == "self_assessment"
    assert card["level"] == "fairly_well"
    assert "tabellerna 1–5" in card["goal_html"]
    assert "<strong>svår</strong>" in card["text_html"]
    assert card["url"] == url(cast) + f"#self-assessment-{assessment.pk}"
    general = g.set_goal(cast.teacher, cast.student, text="Räcka upp handen.")
    assessment = write_self_assessment(cast.student, cast.student, goal_id=general.pk, level="needs_help")
    assert card_message(assessment).thread.kind == Thread.Kind.GENERAL


def test_about_a_subject_or_an_area_of_it(cast: Cast) -> None:
    area = CurriculumArea.objects.filter(subject=cast.swedish).first()
    assert area is not None
    whole = write_self_assessment(cast.student, cast.student, subject=cast.swedish, level="well")
    part = write_self_assessment(
        cast.student, cast.student, subject=cast.swedish, area=area, level="needs_help"
    )
    assert card_message(whole).thread.subject == cast.swedish
    assert card_message(part).card["area"] == {"sv": area.name_sv, "en": area.name_en}  # type: ignore[index]
    assert whole.text == ""


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"level": "great"}, "bad_level"),
        ({"level": ""}, "bad_level"),
        ({"subject": None}, "no_target"),
        ({"area": "SWEDISH"}, "unknown_area"),
        ({"goal_id": "PROPOSAL", "subject": None}, "unknown_goal"),
        ({"goal_id": "DECLINED", "subject": None}, "unknown_goal"),
        ({"goal_id": "OTHER", "subject": None}, "unknown_goal"),
        ({"text": "x" * 2001}, "too_long"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(
    cast: Cast, fields: dict[str, Any], code: str
) -> None:
    earlier = write_self_assessment(
        cast.student, cast.student, subject=cast.maths, level="well", text="Förra."
    )
    proposal = g.propose_goal(cast.student, cast.student, text="Jag vill simma.")
    declined = g.propose_goal(cast.guardian_1, cast.student, text="Läxor varje dag.")
    g.decline_goal(cast.teacher, declined.pk)
    other = g.set_goal(cast.principal, cast.other_student, text="Olles mål.")
    replacements = {
        "SWEDISH": CurriculumArea.objects.filter(subject=cast.swedish).first(),
        "PROPOSAL": proposal.pk,
        "DECLINED": declined.pk,
        "OTHER": other.pk,
    }
    values: dict[str, Any] = {"subject": cast.maths, "level": "well", "text": "Det går bra."}
    values.update(
        {
            key: replacements.get(value, value) if isinstance(value, str) else value
            for key, value in fields.items()
        }
    )
    seq = StudentPage.objects.get(student=cast.student).last_seq
    with pytest.raises(Refused) as refused:
        write_self_assessment(cast.student, cast.student, **values)
    assert refused.value.code == code
    assert refused.value.message
    assert list(SelfAssessment.objects.all()) == [earlier]
    assert SelfAssessment.objects.get().text == "Förra."
    assert StudentPage.objects.get(student=cast.student).last_seq == seq


def test_a_reached_goal_can_still_be_assessed(cast: Cast) -> None:
    goal = maths_goal(cast)
    g.change_goal_status(cast.teacher, goal.pk, status="reached")
    assessment = write_self_assessment(cast.student, cast.student, goal_id=goal.pk, level="well")
    assert assessment.goal == goal


def test_the_guard_asks_first_and_flags_what_is_saved_anyway(cast: Cast) -> None:
    text = "Jag är så dum i matte."
    with pytest.raises(SensitiveText) as warning:
        write_self_assessment(cast.student, cast.student, subject=cast.maths, level="needs_help", text=text)
    assert set(warning.value.by_field) == {"text"}
    assert not SelfAssessment.objects.exists()
    assessment = write_self_assessment(
        cast.student, cast.student, subject=cast.maths, level="needs_help", text=text, send_anyway=True
    )
    flag = FlaggedText.objects.get(source=FlagSource.SELF_ASSESSMENT, source_id=assessment.pk)
    assert (flag.author, flag.text, flag.school) == (cast.student, text, cast.school)


def test_latest_self_assessments_are_the_newest_per_goal_and_subject(cast: Cast) -> None:
    goal = maths_goal(cast)

    def write(**fields: Any) -> SelfAssessment:
        return write_self_assessment(cast.student, cast.student, **fields)

    write(goal_id=goal.pk, level="needs_help")
    newest_goal = write(goal_id=goal.pk, level="fairly_well")
    write(subject=cast.maths, level="needs_help")
    newest_maths = write(subject=cast.maths, level="well")
    swedish = write(subject=cast.swedish, level="well")
    assert queries.latest_self_assessments(cast.student) == [swedish, newest_maths, newest_goal]
    assert len(queries.self_assessments_of(cast.student)) == 5


# --- The page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", PEOPLE)
def test_every_reader_sees_the_page_only_the_student_the_form(cast: Cast, role: str) -> None:
    goal = maths_goal(cast)
    write_self_assessment(
        cast.student, cast.student, goal_id=goal.pk, level="well", text="Jag kan **femman**."
    )
    response = verified_client(cast.person(role)).get(url(cast))
    if role not in READERS:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>femman</strong>" in html
    assert ('data-testid="self-assessment-topics"' in html) == (role == "student")


def test_the_student_writes_through_the_page(cast: Cast) -> None:
    goal = maths_goal(cast)
    client = verified_client(cast.student)
    assert f'value="goal:{goal.pk}"' in client.get(url(cast), {"topic": "goals"}).content.decode()
    maths_step = client.get(url(cast), {"topic": cast.maths.pk}).content.decode()
    assert f'value="subject:{cast.maths.pk}"' in maths_step
    response = client.post(
        reverse("self-assessment-new", args=[cast.student.pk]),
        {"about": f"goal:{goal.pk}", "level": "fairly_well", "text": "Sjuan är svår."},
    )
    assessment = SelfAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(cast) + f"#self-assessment-{assessment.pk}"
    assert (assessment.goal, assessment.level) == (goal, "fairly_well")
    area = CurriculumArea.objects.filter(subject=cast.maths).first()
    assert area is not None
    client.post(
        reverse("self-assessment-new", args=[cast.student.pk]), {"about": f"area:{area.pk}", "level": "well"}
    )
    assert SelfAssessment.objects.filter(area=area, subject=cast.maths).count() == 1


def test_a_refused_or_warned_form_comes_back_with_what_was_written(cast: Cast) -> None:
    client = verified_client(cast.student)
    new = reverse("self-assessment-new", args=[cast.student.pk])
    response = client.post(new, {"about": f"subject:{cast.maths.pk}", "text": "Jag glömde välja."})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-error"' in html
    assert "Jag glömde välja.</textarea>" in html
    # Back on the second step of the subject chosen, with the choice made.
    assert f'value="subject:{cast.maths.pk}" required checked' in html
    assert f'name="topic" value="{cast.maths.pk}"' in html
    response = client.post(
        new, {"about": f"subject:{cast.maths.pk}", "level": "well", "text": "Jag har en diagnos."}
    )
    html = response.content.decode()
    assert 'data-testid="guard"' in html
    assert 'value="well" required checked' in html
    assert not SelfAssessment.objects.exists()
    client.post(
        new,
        {
            "about": f"subject:{cast.maths.pk}",
            "level": "well",
            "text": "Jag har en diagnos.",
            "send_anyway": "1",
        },
    )
    assert FlaggedText.objects.filter(source=FlagSource.SELF_ASSESSMENT).count() == 1


def test_the_page_query_count_does_not_grow_with_self_assessments(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    goal = maths_goal(cast)
    write_self_assessment(cast.student, cast.student, goal_id=goal.pk, level="well")
    client.get(url(cast))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(cast)).status_code == 200
        return len(captured)

    # session, user, whether they must use a one-time code; the student; the rule (may
    # write); the access log's row; the self-assessments
    assert count() == 3 + 1 + 1 + 1 + 1
    for _ in range(6):
        write_self_assessment(
            cast.student, cast.student, goal_id=goal.pk, level="fairly_well", text="Bättre."
        )
        write_self_assessment(cast.student, cast.student, subject=cast.swedish, level="well")
    assert count() == 3 + 1 + 1 + 1 + 1


def test_the_student_chooses_the_subject_first_then_its_areas_without_scripts(cast: Cast) -> None:
    """Not one list of every area of every subject for a ten-year-old: step one names the
    subjects (and the goals), step two offers the chosen subject's areas only."""
    goal = maths_goal(cast)
    client = verified_client(cast.student)
    first = client.get(url(cast)).content.decode()
    assert 'data-testid="self-assessment-topics"' in first
    assert 'name="about"' not in first
    assert "<select" not in first
    assert f'href="?topic={cast.maths.pk}#new-self-assessment"' in first
    assert 'href="?topic=goals#new-self-assessment"' in first

    second = client.get(url(cast), {"topic": cast.maths.pk}).content.decode()
    maths_areas = CurriculumArea.objects.filter(subject=cast.maths)
    assert maths_areas.exists()
    for area in maths_areas:
        assert f'value="area:{area.pk}"' in second
    other_area = CurriculumArea.objects.exclude(subject=cast.maths).first()
    assert other_area is not None
    assert f'value="area:{other_area.pk}"' not in second
    assert f'value="goal:{goal.pk}"' not in second
    # The subject as a whole is chosen unless the student picks an area.
    assert f'value="subject:{cast.maths.pk}" required checked' in second

    goals = client.get(url(cast), {"topic": "goals"}).content.decode()
    assert f'value="goal:{goal.pk}"' in goals
    assert 'value="area:' not in goals


@pytest.mark.parametrize("topic", ["nonsense", "999999", "-1"])
def test_a_subject_not_on_the_page_goes_back_to_the_first_step(cast: Cast, topic: str) -> None:
    response = verified_client(cast.student).get(url(cast), {"topic": topic})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="self-assessment-topics"' in html
    assert 'role="status"' in html


def test_the_students_form_costs_the_same_queries_at_either_step(cast: Cast) -> None:
    maths_goal(cast)
    client = verified_client(cast.student)

    def count(**query: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(cast), query).status_code == 200
        return len(captured)

    # session, user, one-time code; the student's page; the rule (may write); the access
    # log's row; the goals; the page's threads; their subjects' areas; the self-assessments
    expected = count()
    assert expected == 3 + 1 + 1 + 1 + 1 + 1 + 1 + 1
    assert count(topic=cast.maths.pk) == expected
    assert count(topic="goals") == expected
    for _ in range(3):
        write_self_assessment(cast.student, cast.student, subject=cast.swedish, level="well")
    assert count(topic=cast.swedish.pk) == expected
