"""The search pages: across the person's pages (``/search/``) and on one student's page
(``/students/<id>/search/``). What is found is tested in tests/dialogue/test_search.py; here
the pages: the answers to a bad query, the links into the thread, paging, the access log and
exact query counts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, Thread
from records.models import Opening
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.usefixtures("module_cast")  # one cast per module (tests/conftest.py)


def say(author: User, student: User, body: str) -> Message:
    page = page_of(student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())
    return message


def test_a_result_links_to_the_message_in_its_thread(cast: Cast) -> None:
    message = say(cast.teacher, cast.student, "Läxorna finns i portalen.")
    response = verified_client(cast.guardian_1).get(reverse("search"), {"q": "läxa"})
    body = response.content.decode()
    link = f"{reverse('student', args=[cast.student.pk])}?thread={message.thread_id}#m-{message.pk}"
    assert f'href="{link}"' in body
    assert "<mark>Läxorna</mark>" in body
    assert "Anna" in body  # whose page, across pages


def test_the_header_links_to_search_and_the_student_page_has_a_search_box(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    body = client.get(reverse("student", args=[cast.student.pk])).content.decode()
    assert f'href="{reverse("search")}"' in body
    assert f'action="{reverse("student-search", args=[cast.student.pk])}"' in body


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Skriv ett ord att söka efter."),
        ("x" * 201, "Sökningen är för lång: använd högst 200 tecken."),
        ("?!%&", "Sök efter ord eller siffror, inte bara tecken."),
    ],
)
def test_a_query_without_words_gets_a_clear_answer(cast: Cast, q: str, message: str) -> None:
    for url in (reverse("search"), reverse("student-search", args=[cast.student.pk])):
        response = verified_client(cast.guardian_1).get(url, {"q": q}, HTTP_ACCEPT_LANGUAGE="sv")
        assert response.status_code == 200
        assert message in response.content.decode()


def test_one_page_search_finds_only_that_page(cast: Cast) -> None:
    say(cast.teacher, cast.student, "Läxan till fredag.")
    say(cast.principal, cast.other_student, "Läxor till måndag.")
    body = verified_client(cast.principal).get(
        reverse("student-search", args=[cast.other_student.pk]), {"q": "läxa"}
    )
    assert body.content.decode().count('data-testid="search-hit"') == 1
    assert "måndag" in body.content.decode()


def test_results_come_twenty_a_page(cast: Cast) -> None:
    for n in range(25):
        say(cast.teacher, cast.student, f"Läxa {n}.")
    client = verified_client(cast.guardian_1)
    first = client.get(reverse("search"), {"q": "läxa"}).content.decode()
    second = client.get(reverse("search"), {"q": "läxa", "page": "2"}).content.decode()
    assert first.count('data-testid="search-hit"') == 20
    assert "page=2" in first
    assert second.count('data-testid="search-hit"') == 5
    assert "page=1" in second


def test_snippets_shown_are_recorded_as_openings_of_each_student(cast: Cast) -> None:
    say(cast.teacher, cast.student, "Läxa i matte.")
    say(cast.principal, cast.other_student, "Läxa i svenska.")
    before = Opening.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    verified_client(cast.principal).get(reverse("search"), {"q": "läxa"})
    assert sorted(Opening.objects.filter(pk__gt=before).values_list("student_id", "what", "role")) == sorted(
        [(cast.student.pk, "search", "principal"), (cast.other_student.pk, "search", "principal")]
    )
    before = Opening.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    verified_client(cast.teacher).get(reverse("search"), {"q": "idrott"})
    assert not Opening.objects.filter(pk__gt=before).exists()  # nothing shown, nothing opened
    verified_client(cast.teacher).get(reverse("student-search", args=[cast.student.pk]), {"q": "läxa"})
    assert list(Opening.objects.filter(pk__gt=before).values_list("student_id", "what", "role")) == [
        (cast.student.pk, "search", "mentor")
    ]
    # Searching one student's page is looking into it even when nothing is found.
    before = Opening.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    verified_client(cast.teacher).get(reverse("student-search", args=[cast.student.pk]), {"q": "idrott"})
    assert list(Opening.objects.filter(pk__gt=before).values_list("student_id", "what")) == [
        (cast.student.pk, "search")
    ]


def test_the_search_page_takes_the_same_queries_for_one_hit_and_twenty(
    cast: Cast, django_assert_num_queries: object, settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 100
    client = verified_client(cast.principal)
    say(cast.teacher, cast.student, "Läxa 0.")
    # The session, the person, whether they need the code step, the search, every shown
    # student's relation (one query), and one INSERT for every shown student's opening.
    with django_assert_num_queries(6):  # type: ignore[operator]
        assert client.get(reverse("search"), {"q": "läxa"}).status_code == 200
    for n in range(30):
        say(cast.teacher, cast.student, f"Läxa {n}.")
        say(cast.principal, cast.other_student, f"Läxa {n}.")
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(reverse("search"), {"q": "läxa"})
    assert len(response.context["results"].hits) == 20


def test_the_page_search_takes_the_same_queries_for_one_hit_and_twenty(
    cast: Cast, django_assert_num_queries: object, settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 100
    client = verified_client(cast.guardian_1)
    url = reverse("student-search", args=[cast.student.pk])
    say(cast.teacher, cast.student, "Läxa 0.")
    # The session, the person, whether they need the code step, the page with its student,
    # the relation (the door), the search, and the opening's INSERT.
    with django_assert_num_queries(7):  # type: ignore[operator]
        assert client.get(url, {"q": "läxa"}).status_code == 200
    for n in range(30):
        say(cast.teacher, cast.student, f"Läxa {n}.")
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(url, {"q": "läxa"})
    assert len(response.context["results"].hits) == 20
