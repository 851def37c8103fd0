"""The page's structured view: the IUP of the year, the goals in force and proposed, and the
latest published assessment per subject, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogue.actions import talks
from dialogue.actions.goals import propose_goal, set_goal
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import assessment_objects
from tests.support.talks import past_talk

pytestmark = pytest.mark.django_db


def _get(cast: Cast) -> tuple[str, int]:
    client = verified_client(cast.guardian_2)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/students/{cast.student.pk}/plan/")
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_plan_shows_the_iup_goals_and_assessments_without_growing_in_queries(cast: Cast) -> None:
    body, empty_count = _get(cast)
    assert "Inget utvecklingssamtal har dokumenterats" in body
    assessment_objects(cast)
    set_goal(cast.teacher, cast.student, text="Kunna **tabellerna** 1–5.", subject=cast.maths)
    propose_goal(cast.guardian_1, cast.student, text="Läsa en bok i månaden.")
    talk = past_talk(cast)
    talks.record_talk(
        cast.teacher,
        talk,
        held_on=timezone.localdate() - datetime.timedelta(days=7),
        iup_summary="Anna har kommit långt i läsning.",
        school_actions="Extra lästräning.",
        home_actions="Läsa högt hemma.",
    )
    body, count = _get(cast)
    # session, user, OTP requirement; the door (the page with its student, the relation, the
    # access log's row); the IUP (school year, talk); goals; assessments
    assert count == empty_count == 3 + 7
    assert "Anna har kommit långt i läsning." in body
    assert "<strong>tabellerna</strong>" in body
    assert "Läsa en bok i månaden." in body
    assert "Anna räknar säkert med tal upp till 1000." in body
    for index in range(3):
        set_goal(cast.teacher, cast.student, text=f"Mål {index}", subject=cast.maths)
    assert _get(cast)[1] == count
