"""The special-support pages: who sees which form, a refused form coming back with what was
typed, the follow-up page's three lists with their counts, and exact query counts that do
not grow with the number of adaptations, reports and views."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogue.actions import support
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.support import support_objects

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _more(cast: Cast, n: int) -> None:
    today = timezone.localdate()
    for index in range(n):
        adaptation = support.record_adaptation(
            cast.teacher,
            cast.student.pk,
            (cast.maths if index % 2 else cast.swedish).pk,
            description=f"Anpassning {index}",
            starts_on=today,
            follow_up_on=today + datetime.timedelta(days=5),
        )
        support.follow_up_adaptation(
            cast.teacher,
            adaptation.pk,
            result="Bra.",
            continues=True,
            next_follow_up_on=today + datetime.timedelta(days=9),
        )
        case = support.report_support_need(
            cast.teacher, cast.student.pk, observations=f"Iakttagelse {index}", adaptation_ids=[adaptation.pk]
        )
        support.add_support_view(cast.guardian_2, case.pk, body=f"Syn {index}")


def test_the_support_page_shows_each_reader_their_forms_in_a_fixed_number_of_queries(cast: Cast) -> None:
    objects = support_objects(cast)
    url = f"/students/{cast.student.pk}/support/"
    teacher = verified_client(cast.teacher)
    body = teacher.get(url).content.decode()
    assert 'id="adaptation-new-title"' in body
    assert 'id="report-title"' in body
    assert f'name="adaptations" value="{objects["adaptation"].pk}" checked' in body  # prefilled
    family = verified_client(cast.guardian_1).get(url).content.decode()
    assert "Anna får uppgifterna uppdelade i mindre steg." in family
    assert 'id="report-title"' not in family
    assert 'id="adaptation-new-title"' not in family

    # session, user, device; page and student, relation, opening; adaptations and their
    # follow-ups; reports; subjects
    assert _count(teacher, url) == 3 + 3 + 2 + 1 + 1
    _more(cast, 4)
    assert _count(teacher, url) == 3 + 3 + 2 + 1 + 1


def test_the_case_page_in_a_fixed_number_of_queries_and_its_forms_by_role(cast: Cast) -> None:
    objects = support_objects(cast)
    case = objects["support_case"]
    url = f"/students/{cast.student.pk}/support/{case.pk}/"
    principal = verified_client(cast.principal)
    body = principal.get(url).content.decode()
    assert 'id="outcome-form-title"' in body  # being investigated: the outcome is next
    assert 'id="decide-title"' not in body
    assert "Vi vill gärna vara med i utredningen." in body
    assert cast.guardian_1.display_name in body
    guardian = verified_client(cast.guardian_2).get(url).content.decode()
    assert f'action="/students/{cast.student.pk}/support/{case.pk}/views/"' in guardian
    assert 'id="outcome-form-title"' not in guardian
    # session, user, device; page and student, relation, opening; the case with its
    # people, its adaptations, its views
    assert _count(principal, url) == 3 + 3 + 3
    for index in range(3):
        support.add_support_view(cast.student, case.pk, body=f"Min syn {index}")
    assert _count(principal, url) == 3 + 3 + 3


def test_a_refused_form_comes_back_with_what_was_typed(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    response = client.post(
        f"/students/{cast.student.pk}/support/adaptations/",
        {
            "subject": cast.maths.pk,
            "description": "Bildstöd",
            "starts_on": "2026-01-01",
            "follow_up_on": "snart",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bildstöd" in body
    assert 'role="alert"' in body
    response = client.post(
        f"/students/{cast.student.pk}/support/report/", {"observations": "Anna har en diagnos."}
    )
    assert response.status_code == 400
    assert 'name="send_anyway"' in response.content.decode()


def test_the_forms_lead_through_the_flow(cast: Cast) -> None:
    today = timezone.localdate()
    teacher = verified_client(cast.teacher)
    response = teacher.post(
        f"/students/{cast.student.pk}/support/report/",
        {"observations": "Anna behöver mer stöd.", "subject": cast.maths.pk},
    )
    assert response.status_code == 302
    case_url = response["Location"]
    principal = verified_client(cast.principal)
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    response = principal.post(
        f"{case_url}investigation/",
        {
            "investigate": "yes",
            "investigator": cast.teacher.pk,
            "investigate_by": (today + datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    response = principal.post(
        f"{case_url}outcome/", {"needs_support": "no", "summary": "Räcker.", "grounds": "Skäl."}
    )
    assert response.status_code == 302
    response = principal.post(f"{case_url}outcome/", {"needs_support": "yes", "summary": "Igen."})
    assert response.status_code == 400
    assert "already taken" in response.content.decode() or "redan" in response.content.decode()
    assert case_id


def test_the_follow_up_page_counts_reports_investigations_and_adaptations(cast: Cast) -> None:
    today = timezone.localdate()
    objects = support_objects(cast)  # one report being investigated, one adaptation going on
    waiting = support.report_support_need(cast.teacher, cast.student.pk, observations="Ny anmälan.")
    client = verified_client(cast.principal)
    url = f"/schools/{cast.school.pk}/follow-up/"
    response = client.get(url)
    assert [c.pk for c in response.context["reports_waiting"]] == [waiting.pk]
    assert response.context["investigations_overdue"] == []
    assert response.context["adaptations_overdue"] == []
    from dialogue.models import Adaptation, SupportCase

    # Time passes: the investigation's date and the adaptation's follow-up go by.
    SupportCase.objects.filter(pk=objects["support_case"].pk).update(
        investigate_by=today - datetime.timedelta(days=1)
    )
    Adaptation.objects.filter(pk=objects["adaptation"].pk).update(
        follow_up_on=today - datetime.timedelta(days=2)
    )
    response = client.get(url)
    body = response.content.decode()
    assert [c.pk for c in response.context["investigations_overdue"]] == [objects["support_case"].pk]
    assert [a.pk for a in response.context["adaptations_overdue"]] == [objects["adaptation"].pk]
    assert 'data-testid="reports-waiting"' in body
    assert 'data-testid="adaptations-overdue"' in body
    # An ended adaptation and a decided investigation leave the lists.
    support.follow_up_adaptation(cast.teacher, objects["adaptation"].pk, result="Klart.", continues=False)
    support.record_support_outcome(
        cast.principal, objects["support_case"].pk, needs_support=True, summary="Stöd."
    )
    response = client.get(url)
    assert response.context["investigations_overdue"] == []
    assert response.context["adaptations_overdue"] == []
    # session, user, device; the school; the follow-up overview (10 as before, with the three lists)
    assert _count(client, url) == 3 + 13
