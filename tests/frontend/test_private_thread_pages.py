"""The student page with private threads (issue 16, item 6): the thread list and who reads
the thread shown, only to its audience, in the same queries as without; and the "New
conversation" form."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogue.models import Thread
from tests.dialogue.test_private_threads import ADULTS, ONE, karins, start
from tests.support.cast import Cast

__all__ = ["karins"]  # the fixture, shared with the dialogue's tests


# --- the student page -----------------------------------------------------------------------


def test_the_page_lists_the_thread_with_its_label_and_readers_only_to_its_audience(
    cast: Cast, karins: Any, client_for: Any
) -> None:
    thread, _first = karins
    url = reverse("student", args=[cast.student.pk])
    for person, sees in (
        (cast.guardian_1, True),
        (cast.teacher, True),
        (cast.guardian_2, False),
        (cast.student, False),
    ):
        html = client_for(person).get(url, {"thread": thread.pk}).content.decode()
        assert ("Hämtning" in html) == sees, person
        assert ("Bara f" in html) == sees, person  # the first message (in the page's JSON)
        assert ('data-testid="private-thread"' in html) == sees
    html = client_for(cast.teacher).get(url, {"thread": thread.pk}).content.decode()
    assert "Syns för Karin Andersson och skolan (inte Anna eller Johan)" in html


def test_the_thread_list_takes_the_same_queries_with_private_threads(
    cast: Cast, client_for: Any, django_assert_num_queries: Any
) -> None:
    client = client_for(cast.teacher)
    url = reverse("student", args=[cast.student.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    # session and user, the door (page, relation, access log), the threads, the messages
    # with their files, the page's readers, unread counts, first unread ...: 15, fixed.
    assert len(before) == 15
    start(cast.guardian_1, cast, ONE)
    start(cast.teacher, cast, ADULTS)
    with django_assert_num_queries(15):
        html = client.get(url).content.decode()
    assert html.count('data-testid="private-thread"') == 2
    # guardian_2 reads one of the two (the adults'), in as many queries.
    other = client_for(cast.guardian_2)
    other.get(url)
    with django_assert_num_queries(15):
        html = other.get(url).content.decode()
    assert html.count('data-testid="private-thread"') == 1


def test_new_conversation_form_starts_one_and_is_not_offered_to_the_student(
    cast: Cast, client_for: Any
) -> None:
    url = reverse("new-thread", args=[cast.student.pk])
    assert client_for(cast.student).get(url).status_code == 404
    page = client_for(cast.guardian_2).get(url)
    assert page.status_code == 200
    choices = page.content.decode()
    assert f'value="guardian-{cast.guardian_2.pk}"' in choices
    assert f'value="guardian-{cast.guardian_1.pk}"' not in choices
    answer = client_for(cast.guardian_2).post(
        url,
        {
            "title": "Min vecka",
            "audience": f"guardian-{cast.guardian_2.pk}",
            "body": "Hej",
            "client_id": str(uuid.uuid4()),
        },
    )
    assert answer.status_code == 302
    thread = Thread.objects.get(title="Min vecka")
    assert (thread.audience, thread.guardian_id) == (ONE, cast.guardian_2.pk)
    refused = client_for(cast.guardian_2).post(
        url, {"title": "", "audience": "adults", "body": "Hej", "client_id": str(uuid.uuid4())}
    )
    assert refused.status_code == 400
    teacher_form = client_for(cast.teacher).get(url).content.decode()
    assert f'value="guardian-{cast.guardian_1.pk}"' in teacher_form
    assert f'value="guardian-{cast.guardian_2.pk}"' in teacher_form
