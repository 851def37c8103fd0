"""The registrar's and the principal's list of requests for public records, and the
registration of a new one: age in working days, the late marker, the filter, the student
searched for by name without any name in a URL, and a form that keeps what was typed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from records.models import ReleaseRequest
from records.release import actions
from records.release.promptness import age_in_working_days
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.releases import register

pytestmark = pytest.mark.django_db


def _last_working_day_before(day: datetime.date, back: int) -> datetime.date:
    """The weekday ``back`` working days before ``day``."""
    while back:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            back -= 1
    return day


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _item(body: str, release: ReleaseRequest) -> str:
    found = re.search(
        rf'<li class="release-item[^"]*" data-release="{release.pk}">(.*?)</li>', body, re.DOTALL
    )
    assert found, release.reference
    return found.group(1)


def test_the_list_shows_each_requests_age_and_marks_the_late_ones_in_words(cast: Cast) -> None:
    today = timezone.localdate()
    old = register(cast, received_at=_at(_last_working_day_before(today, 3)), kinds=["assessments"])
    yesterday = register(cast, received_at=_at(_last_working_day_before(today, 1)), kinds=["assessments"])
    fresh = register(cast, kinds=["assessments"])
    response = verified_client(cast.registrar).get(reverse("releases"))
    assert response.status_code == 200
    rows = {row.request.pk: row for row in response.context["rows"]}
    assert [row.request.pk for row in response.context["rows"]] == [fresh.pk, yesterday.pk, old.pk]
    assert (rows[old.pk].age, rows[old.pk].late) == (3, True)
    assert (rows[yesterday.pk].age, rows[yesterday.pk].late) == (1, False)
    assert (rows[fresh.pk].age, rows[fresh.pk].late) == (0, False)
    body = response.content.decode()
    late = _item(body, old)
    assert "Sen" in late  # the marker is a word, not only a colour
    assert "3 arbetsdagar" in late
    assert "sen, äldre än en arbetsdag" in late
    assert "Sen" not in _item(body, yesterday)
    assert "1 arbetsdag" in _item(body, yesterday)
    assert "1 begäran är sen." in body
    assert old.reference in body
    assert old.reference.startswith("NOR ")


def test_a_decided_request_is_never_late_and_the_filter_shows_open_or_decided_ones(cast: Cast) -> None:
    today = timezone.localdate()
    decided = register(cast, received_at=_at(_last_working_day_before(today, 5)), kinds=["assessments"])
    actions.decide_release(cast.registrar, decided.pk, outcome=ReleaseRequest.Outcome.FULL)
    waiting = register(cast, kinds=["assessments"])
    client = verified_client(cast.principal)

    def listed(show: str) -> list[int]:
        response = client.get(reverse("releases"), {"show": show})
        assert response.status_code == 200
        return [row.request.pk for row in response.context["rows"]]

    assert listed("open") == [waiting.pk]
    assert listed("decided") == [decided.pk]
    assert listed("all") == listed("nonsense") == [waiting.pk, decided.pk]
    body = client.get(reverse("releases"), {"show": "decided"}).content.decode()
    item = _item(body, decided)
    assert "Sen" not in item
    assert "Utlämnad i sin helhet" in item
    assert "beslutad efter 5 arbetsdagar" in item


def test_the_list_takes_the_same_queries_for_one_request_and_for_twenty(
    cast: Cast, django_assert_num_queries: object
) -> None:
    client = verified_client(cast.registrar)
    register(cast, kinds=["assessments"])
    # The session, the person, whether they need the code step, whether they handle any
    # school's requests, the count of rows and the rows with their schools, students and
    # handlers.
    with django_assert_num_queries(6):  # type: ignore[operator]
        assert client.get(reverse("releases")).status_code == 200
    for _ in range(19):
        register(cast, kinds=["assessments"])
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(reverse("releases"))
    assert len(response.context["rows"]) == 20


def test_the_other_schools_principal_has_an_empty_list_and_teachers_none(cast: Cast) -> None:
    register(cast, kinds=["assessments"])
    response = verified_client(cast.other_principal).get(reverse("releases"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    for role in ("teacher", "guardian_1", "student", "school_admin"):
        assert verified_client(cast.person(role)).get(reverse("releases")).status_code == 404, role


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "search": "Anna",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "requester": "Kalle Reporter",
        "requester_contact": "kalle@tidning.example",
        "kinds": ["assessments", "messages"],
        "period_from": "",
        "period_to": "",
        "delivery": "email",
        "do": "register",
    }
    data.update(changes)
    return data


def test_a_search_lists_the_matching_students_of_the_school_and_keeps_what_was_typed(cast: Cast) -> None:
    client = verified_client(cast.registrar)
    page = client.get(reverse("release-new"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["handler"].value() == cast.registrar.pk
    handlers = dict(form.fields["handler"].choices)
    assert set(handlers) == {cast.registrar.pk, cast.principal.pk}
    assert "Anna" not in page.content.decode()

    url = reverse("release-new")
    found = client.post(url, _form(do="search", handler=str(cast.principal.pk)))
    assert found.status_code == 200
    assert found.request["PATH_INFO"] == url  # the name was posted, never put in the URL
    body = found.content.decode()
    assert f'value="{cast.student.pk}"' in body
    assert re.search(rf'value="{cast.student.pk}"[^>]*checked', body)  # the one match, chosen
    assert 'value="Kalle Reporter"' in body
    assert 'value="kalle@tidning.example"' in body
    assert found.context["form"].errors == {}  # a search judges nothing yet
    assert re.search(rf'<option value="{cast.principal.pk}" selected>', body)
    # Only students are found, and a name nobody has finds nobody.
    nobody = client.post(url, _form(do="search", search="Zxqvw"))
    assert nobody.context["students"] == []
    assert "Ingen elev på din skola har det namnet." in nobody.content.decode()
    guardian = client.post(url, _form(do="search", search=cast.guardian_1.last_name))
    assert cast.guardian_1 not in guardian.context["students"]


def test_registering_a_request_opens_its_review(cast: Cast) -> None:
    client = verified_client(cast.registrar)
    response = client.post(
        reverse("release-new"),
        _form(student=str(cast.student.pk), handler=str(cast.principal.pk), period_from="2026-01-01"),
    )
    created = ReleaseRequest.objects.get(student=cast.student)
    assert response.status_code == 302
    assert response["Location"] == reverse("release", args=[created.pk])
    assert created.kinds == ["assessments", "messages"]
    assert (created.requester, created.handler, created.created_by) == (
        "Kalle Reporter",
        cast.principal,
        cast.registrar,
    )
    assert created.period_from == datetime.date(2026, 1, 1)
    shown = client.get(response["Location"]).content.decode()
    assert f"Begäran {created.reference}" in shown
    assert f"registrerad som {created.reference}" in shown


def test_anyone_may_ask_anonymously(cast: Cast) -> None:
    client = verified_client(cast.principal)
    page = client.get(reverse("release-new")).content.decode()
    assert "Vem som helst får begära ut handlingar anonymt och behöver aldrig säga varför." in page
    response = client.post(
        reverse("release-new"),
        _form(student=str(cast.student.pk), handler=str(cast.principal.pk), requester="", delivery="paper"),
    )
    assert response.status_code == 302
    created = ReleaseRequest.objects.get(student=cast.student)
    assert created.requester == ""
    assert "Anonym" in client.get(response["Location"]).content.decode()


def test_bad_input_says_why_and_keeps_what_was_typed(cast: Cast) -> None:
    client = verified_client(cast.registrar)
    response = client.post(
        reverse("release-new"),
        _form(
            kinds=[], student="", requester="Kalle Reporter", period_from="2026-05-01", period_to="2026-04-01"
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Sök efter eleven och välj en av träffarna." in body
    assert "Välj minst ett slags handling." in body
    assert "Perioden måste börja samma dag som den slutar eller tidigare." in body
    assert 'value="Kalle Reporter"' in body
    assert 'value="2026-05-01"' in body
    assert ReleaseRequest.objects.count() == 0


def test_the_actions_refusal_shows_at_its_field(cast: Cast) -> None:
    client = verified_client(cast.registrar)
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("release-new"),
        _form(student=str(cast.student.pk), handler=str(cast.registrar.pk), received_at=future),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["received_at"]
    assert f'value="{future}"' in response.content.decode()
    email = client.post(
        reverse("release-new"),
        _form(student=str(cast.student.pk), handler=str(cast.registrar.pk), requester_contact=""),
    )
    assert email.status_code == 400
    assert email.context["form"].errors["requester_contact"]
    assert ReleaseRequest.objects.count() == 0


def test_the_age_on_the_list_is_the_promptness_rule(cast: Cast) -> None:
    # Received on the last Friday: on time on Monday, late from Tuesday.
    today = timezone.localdate()
    friday = today - datetime.timedelta(days=(today.weekday() - 4) % 7 or 7)
    request = register(cast, received_at=_at(friday, 16), kinds=["assessments"])
    row = verified_client(cast.registrar).get(reverse("releases")).context["rows"][0]
    assert row.request.pk == request.pk
    assert row.age == age_in_working_days(request.received_at, today)
    assert row.late == ((today - friday).days >= 4)
