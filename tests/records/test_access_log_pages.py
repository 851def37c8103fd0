"""The access log's pages: the family sees staff's openings of their own child's page only,
and the principal reviews openings by others than the students' teachers and unusual
volumes, marking each as checked."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import openings
from accounts.policy import StudentRelation
from records.models import Opening, ReviewMark
from tests.support.access_log import open_page
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module


def _listed(cast: Cast, role: str) -> list[int]:
    response = verified_client(cast.person(role)).get(reverse("student-openings", args=[cast.student.pk]))
    assert response.status_code == 200
    return [opening.pk for opening in response.context["page"]]


def test_a_guardian_sees_only_staff_openings_of_their_own_child(cast: Cast) -> None:
    by_teacher = open_page(cast.teacher, cast.student)
    by_principal = open_page(cast.principal, cast.student, what="goals")
    open_page(cast.guardian_2, cast.student)  # the other guardian's
    open_page(cast.student, cast.student)  # the student's own
    open_page(cast.guardian_1, cast.student)  # one's own
    open_page(cast.other_teacher, cast.other_student)  # another child's page
    open_page(cast.principal, cast.other_student)
    expected = [by_principal.pk, by_teacher.pk]  # newest first
    assert _listed(cast, "guardian_1") == expected
    assert _listed(cast, "guardian_2") == expected
    assert _listed(cast, "student") == expected
    page = verified_client(cast.guardian_1).get(reverse("student-openings", args=[cast.student.pk]))
    body = page.content.decode()
    assert "Lars Lund" in body
    assert "Ingrid Norberg" in body
    assert "Johan Berg" not in body  # guardian_2's name appears nowhere, not even as a reader
    assert "Olle" not in body
    assert "Eva Ek" not in body


def test_looking_at_the_list_is_itself_an_opening_and_staff_are_not_let_in(cast: Cast) -> None:
    _listed(cast, "guardian_1")
    assert list(Opening.objects.values_list("viewer_id", "role", "what")) == [
        (cast.guardian_1.pk, Opening.Role.GUARDIAN, "openings")
    ]
    for role in ("teacher", "principal", "other_guardian", "withdrawn_guardian"):
        url = reverse("student-openings", args=[cast.student.pk])
        assert verified_client(cast.person(role)).get(url).status_code == 404
    assert Opening.objects.count() == 1


def test_the_family_list_is_paged_by_fifty_in_a_fixed_number_of_queries(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    url = reverse("student-openings", args=[cast.student.pk])

    def count(page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{url}?page={page}").status_code == 200
        return len(captured)

    open_page(cast.teacher, cast.student)
    one = count(1)
    for _ in range(60):
        open_page(cast.teacher, cast.student)
    # The session, the person, whether they need the code step, the page with its student,
    # the relation, the opening's INSERT, the count of rows and the rows with who opened them.
    assert one == count(1) == count(2) == 8
    response = client.get(f"{url}?page=2")
    assert len(response.context["page"]) == 11
    assert "Lars Lund" in response.content.decode()


def test_the_student_page_links_the_list_for_the_family_only(cast: Cast) -> None:
    url = reverse("student", args=[cast.student.pk])
    link = reverse("student-openings", args=[cast.student.pk])
    assert link in verified_client(cast.guardian_1).get(url).content.decode()
    assert link in verified_client(cast.student).get(url).content.decode()
    assert link not in verified_client(cast.teacher).get(url).content.decode()


# --- The principal's review -----------------------------------------------------------------


def _former_teachers_opening(cast: Cast, at: datetime.datetime) -> Opening:
    """The former teacher opened the page while still teaching English (the role at opening)."""
    openings.record_opening(
        viewer_id=cast.former_teacher.pk,
        student_id=cast.student.pk,
        what="thread",
        object_id=None,
        relation=StudentRelation(
            viewer_id=cast.former_teacher.pk, taught_subject_ids=frozenset({cast.english.pk})
        ),
        at=at,
    )
    return Opening.objects.latest("pk")


def _review(cast: Cast, query: str = "") -> tuple[list[int], list[tuple[int, int]], str]:
    url = reverse("access-review", args=[cast.school.pk]) + query
    response = verified_client(cast.principal).get(url)
    assert response.status_code == 200
    openings_shown = [opening.pk for opening in response.context["openings"]]
    volumes = [(volume.viewer_id, volume.students) for volume in response.context["volumes"]]
    return openings_shown, volumes, response.content.decode()


def test_the_review_lists_openings_by_others_than_the_students_teachers(cast: Cast) -> None:
    yesterday = timezone.now() - datetime.timedelta(days=1)
    former = _former_teachers_opening(cast, yesterday)
    by_principal = open_page(cast.principal, cast.student)
    open_page(cast.teacher, cast.student)  # the mentor's everyday opening
    open_page(cast.guardian_1, cast.student)  # the family is not staff
    open_page(cast.other_teacher, cast.other_student)  # 4B's own teacher
    shown, volumes, body = _review(cast)
    assert shown == [by_principal.pk, former.pk]
    assert volumes == []
    assert "Per Vikarie" in body
    assert "Anna Andersson" in body


def test_the_review_shows_only_the_principal_s_own_school(cast: Cast) -> None:
    open_page(cast.principal, cast.student)
    url = reverse("access-review", args=[cast.school.pk])
    assert verified_client(cast.other_principal).get(url).status_code == 404
    response = verified_client(cast.other_principal).get(
        reverse("access-review", args=[cast.other_school.pk])
    )
    assert list(response.context["openings"]) == []


def test_the_review_period_can_be_chosen_and_a_wrong_one_is_explained(cast: Cast) -> None:
    old = _former_teachers_opening(cast, timezone.now() - datetime.timedelta(days=40))
    recent = open_page(cast.principal, cast.student)
    assert _review(cast)[0] == [recent.pk]  # the last 30 days by default
    day = timezone.localdate(old.at)
    assert _review(cast, f"?since={day.isoformat()}&until={day.isoformat()}")[0] == [old.pk]
    shown, _volumes, body = _review(cast, "?since=2026-05-02&until=2026-05-01")
    assert shown == [recent.pk]
    assert "Perioden måste börja samma dag som den slutar eller tidigare." in body


@override_settings(ACCESS_REVIEW_DAILY_STUDENTS=1)
def test_someone_opening_more_students_than_the_threshold_in_a_day_is_listed(cast: Cast) -> None:
    open_page(cast.teacher, cast.student)
    open_page(cast.teacher, cast.student)  # the same student twice counts once
    open_page(cast.other_teacher, cast.other_student)
    assert _review(cast)[1] == []
    open_page(cast.principal, cast.student)
    open_page(cast.principal, cast.other_student)
    assert _review(cast)[1] == [(cast.principal.pk, 2)]


@override_settings(ACCESS_REVIEW_DAILY_STUDENTS=1)
def test_the_principal_marks_findings_as_checked_with_a_note(cast: Cast) -> None:
    opening = open_page(cast.principal, cast.student)
    open_page(cast.principal, cast.other_student)
    client = verified_client(cast.principal)
    review_url = reverse("access-review", args=[cast.school.pk])
    mark_url = reverse("access-review-opening-checked", args=[cast.school.pk, opening.pk])
    response = client.post(mark_url, {"note": "Elevhälsomöte", "next": f"{review_url}?page=1"})
    assert response.status_code == 302
    assert response["Location"] == f"{review_url}?page=1"
    day = timezone.localdate(opening.at).isoformat()
    volume_url = reverse("access-review-volume-checked", args=[cast.school.pk])
    client.post(volume_url, {"viewer": cast.principal.pk, "day": day, "note": ""})
    marks = ReviewMark.objects.order_by("pk")
    assert [(m.opening_id, m.viewer_id, m.note, m.checked_by_id) for m in marks] == [
        (opening.pk, None, "Elevhälsomöte", cast.principal.pk),
        (None, cast.principal.pk, "", cast.principal.pk),
    ]
    body = client.get(review_url).content.decode()
    assert body.count('data-testid="review-mark"') == 2
    assert "Elevhälsomöte" in body
    # Marking again, or with a note too long, is refused with the reason; nothing changes.
    again = client.post(mark_url, {"note": "igen"}, follow=True).content.decode()
    assert "Det här var redan markerat som kontrollerat." in again
    opening_2 = open_page(cast.principal, cast.student)
    mark_2 = reverse("access-review-opening-checked", args=[cast.school.pk, opening_2.pk])
    too_long = client.post(mark_2, {"note": "x" * 501}, follow=True).content.decode()
    assert "Anteckningen får vara högst 500 tecken." in too_long
    assert ReviewMark.objects.count() == 2


def test_only_the_school_s_principal_marks_and_only_its_own_findings(cast: Cast) -> None:
    opening = open_page(cast.principal, cast.student)
    url = reverse("access-review-opening-checked", args=[cast.other_school.pk, opening.pk])
    assert verified_client(cast.other_principal).post(url, {"note": ""}).status_code == 404
    url = reverse("access-review-opening-checked", args=[cast.school.pk, opening.pk])
    assert verified_client(cast.teacher).post(url, {"note": ""}).status_code == 404
    volume_url = reverse("access-review-volume-checked", args=[cast.school.pk])
    response = verified_client(cast.principal).post(
        volume_url, {"viewer": cast.guardian_1.pk, "day": timezone.localdate().isoformat()}
    )
    assert response.status_code == 404  # nobody's finding: the guardian opened nothing
    assert verified_client(cast.principal).post(volume_url, {"viewer": "x", "day": "?"}).status_code == 404
    assert ReviewMark.objects.count() == 0


@override_settings(ACCESS_REVIEW_DAILY_STUDENTS=1)
def test_the_review_page_takes_a_fixed_number_of_queries(cast: Cast) -> None:
    client = verified_client(cast.principal)
    url = reverse("access-review", args=[cast.school.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    open_page(cast.principal, cast.student)
    few = count()
    for _ in range(20):
        open_page(cast.principal, cast.student)
        open_page(cast.principal, cast.other_student)
        _former_teachers_opening(cast, timezone.now())
    # The session, the person, the code step's device, the school, the count and the page of
    # openings, the volumes and the marks.
    assert few == count() == 8
