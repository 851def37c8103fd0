"""The start page per role and the pages it links to: content and exact query counts."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.usefixtures("module_cast")  # one cast per module (tests/conftest.py)


def html(response) -> str:
    return response.content.decode()


def test_guardian_start_page_lists_their_child_with_class_and_school(cast: Cast) -> None:
    page = html(verified_client(cast.guardian_1).get("/"))
    assert "Anna Andersson" in page
    assert f'href="/students/{cast.student.pk}/"' in page
    assert "4A" in page
    assert "Norrskolan" in page
    assert "Olle Nilsson" not in page
    assert 'data-testid="classes"' not in page


def test_teacher_start_page_lists_classes_with_subjects_mentor_badge_and_count(cast: Cast) -> None:
    page = html(verified_client(cast.teacher).get("/"))
    assert f'href="/classes/{cast.class_4a.pk}/"' in page
    assert f'href="/classes/{cast.class_4b.pk}/"' not in page
    assert 'class="badge"' in page  # mentor
    assert "Matematik" in page or "Mathematics" in page


def test_principal_start_page_links_the_school_and_administrator_the_admin(cast: Cast) -> None:
    assert f'href="/schools/{cast.school.pk}/"' in html(verified_client(cast.principal).get("/"))
    assert 'href="/admin/"' in html(verified_client(cast.school_admin).get("/"))
    assert 'href="/admin/"' not in html(verified_client(cast.principal).get("/"))


def test_person_without_any_membership_is_told_so(cast: Cast) -> None:
    page = html(verified_client(cast.withdrawn_guardian).get("/"))
    assert "Anna Andersson" not in page
    assert 'class="tiles"' not in page


def test_student_page_shows_who_can_see_it_and_nobody_else(cast: Cast) -> None:
    page = html(verified_client(cast.guardian_2).get(f"/students/{cast.student.pk}/"))
    for name in ("Anna Andersson", "Karin Andersson", "Johan Berg", "Lars Lund", "Ingrid Norberg"):
        assert name in page
    for name in (
        "Bo Andersson",
        "Per Vikarie",
        "Eva Ek",
        "Maja Holm",
    ):  # withdrawn, ended, other class, admin
        assert name not in page


def test_class_page_lists_the_students_of_the_class(cast: Cast) -> None:
    page = html(verified_client(cast.teacher).get(f"/classes/{cast.class_4a.pk}/"))
    assert f'href="/students/{cast.student.pk}/"' in page
    assert "Olle Nilsson" not in page


def _add_children(cast: Cast, guardian, count: int) -> None:
    year = cast.class_4a.school_year
    for index in range(count):
        school_class = s.create_class(SYSTEM, cast.school, year, name=f"6{chr(65 + index)}", grade=6)
        child = p.create_person(
            SYSTEM, username=f"barn{index}", first_name=f"Barn{index}", last_name="Andersson"
        )
        m.enrol_student(SYSTEM, child, school_class)
        m.add_guardianship(SYSTEM, guardian, child)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# session, user, OTP requirement (RequireOTPMiddleware), then the page's own reads.
FAMILY_OVERHEAD = 3
# session, user, the verified device (OTPMiddleware).
STAFF_OVERHEAD = 3


def test_guardian_start_page_query_count_does_not_grow_with_children(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    # own enrolments, children + their enrolments, teaching, mentoring, led and administered
    # schools; unread inbox lines, unread messages per thread, coming talks (the news with
    # something in it: tests/frontend/test_start_news.py)
    assert _queries(client, "/") == FAMILY_OVERHEAD + 10
    _add_children(cast, cast.guardian_1, 3)
    assert _queries(client, "/") == FAMILY_OVERHEAD + 10


def test_teacher_start_page_query_count_does_not_grow_with_classes(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    # own enrolments, children (none: no prefetch), teaching, mentoring, the classes'
    # students, led, administered; unread inbox lines, unread messages per student, proposed
    # goals, assessment drafts, coming talks, action programme drafts
    assert _queries(client, "/") == STAFF_OVERHEAD + 13
    year = cast.class_4a.school_year
    for name in ("6A", "6B", "6C"):
        extra_class = s.create_class(SYSTEM, cast.school, year, name=name, grade=6)
        m.assign_teaching(SYSTEM, cast.teacher, extra_class, cast.swedish)
    assert _queries(client, "/") == STAFF_OVERHEAD + 13


def _post(cast: Cast, author, count: int) -> None:
    page = page_of(cast.student)
    general = page.threads.get(kind="general")
    for index in range(count):
        post_message(author, page, thread_id=general.pk, body=f"Meddelande {index}", client_id=uuid.uuid4())


def test_student_page_query_count_does_not_grow_with_messages_or_people(cast: Cast) -> None:
    _post(cast, cast.guardian_2, 2)
    client = verified_client(cast.guardian_1)
    url = f"/students/{cast.student.pk}/"
    client.get(url)
    # the door: the page with its student, the reader's relation (once, for every right on
    # the page), the access log's row; threads, messages, their attachments; who can see the
    # page (5); unread per thread, first unread. (Three fewer than when the page asked the
    # policy three times and made missing threads while being read.)
    assert _queries(client, url) == FAMILY_OVERHEAD + 13
    for username in ("extra.a", "extra.b"):
        teacher = p.create_person(SYSTEM, username=username, first_name="Extra", last_name="Lärare")
        m.assign_teaching(SYSTEM, teacher, cast.class_4a, cast.english)
    _post(cast, cast.teacher, 20)
    client.get(url)
    assert _queries(client, url) == FAMILY_OVERHEAD + 13


def test_class_page_query_count_does_not_grow_with_students(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    url = f"/classes/{cast.class_4a.pk}/"
    # access check, students, teaching, mentors, unread messages per student, subjects the
    # teacher writes assessments in
    assert _queries(client, url) == STAFF_OVERHEAD + 6
    for index in range(5):
        pupil = p.create_person(SYSTEM, username=f"elev{index}", first_name="Elev", last_name=str(index))
        m.enrol_student(SYSTEM, pupil, cast.class_4a)
    _post(cast, cast.guardian_1, 3)
    assert _queries(client, url) == STAFF_OVERHEAD + 6


def test_school_page_query_count_does_not_grow_with_classes(cast: Cast) -> None:
    client = verified_client(cast.principal)
    url = f"/schools/{cast.school.pk}/"
    # access check, classes with counts, principals, teacher count, flagged texts waiting
    assert _queries(client, url) == STAFF_OVERHEAD + 5
    s.create_class(SYSTEM, cast.school, cast.class_4a.school_year, name="9A", grade=9)
    assert _queries(client, url) == STAFF_OVERHEAD + 5


@pytest.mark.parametrize("path", ["/", "/login/", "/account/"])
def test_every_page_carries_a_strict_content_security_policy(cast: Cast, path: str) -> None:
    response = verified_client(cast.guardian_1 if path != "/login/" else None).get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in html(response)  # no inline scripts at all
    assert 'style="' not in html(response)  # nor inline styles


def test_school_year_boundaries_keep_last_years_classes_off_the_school_page(cast: Cast) -> None:
    last_year = s.ensure_school_year(SYSTEM, timezone.localdate() - datetime.timedelta(days=366))
    s.create_class(SYSTEM, cast.school, last_year, name="3A", grade=3)
    page = html(verified_client(cast.principal).get(f"/schools/{cast.school.pk}/"))
    assert ">3A<" not in page
    assert ">4A<" in page
