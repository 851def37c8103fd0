"""Search in the dialogue (``dialogue.queries.search``): Swedish inflections, and never a
message the person may not read (another student's, a thread outside their audience, a
retracted one)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.errors import Refused
from accounts.models import User
from accounts.policy import relation_to_student, relations_to_students
from dialogue.actions.messages import post_message, retract_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, Thread
from dialogue.queries.search import (
    Results,
    SearchedText,
    clean_query,
    readable_messages,
    search,
    search_full_text,
    search_stems,
    stems,
)
from tests.support.cast import Cast
from tests.support.dialogue import assessment_objects

Searcher = Callable[..., Results]
SEARCHES = (search_full_text, search_stems)


def say(author: User, student: User, body: str, *, thread: Thread | None = None) -> Message:
    page = page_of(student)
    thread = thread or page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())
    return message


def found(search_function: Searcher, user: User, text: str, **more: Any) -> list[int]:
    return [hit.message.pk for hit in search_function(user, clean_query(text), **more).hits]


def private_thread(cast: Cast, audience: str, guardian: User | None = None) -> Thread:
    return Thread.objects.create(
        page=page_of(cast.student), kind=Thread.Kind.PRIVATE, audience=audience, guardian=guardian, title="x"
    )


@pytest.mark.parametrize("search_function", SEARCHES)
def test_an_inflected_swedish_word_finds_its_other_forms(cast: Cast, search_function: Searcher) -> None:
    homework = say(cast.teacher, cast.student, "Glöm inte läxa till måndag.")
    plural = say(cast.teacher, cast.student, "Läxorna ligger i portalen.")
    say(cast.teacher, cast.student, "Vi har idrott på fredag.")
    assert homework.pk in found(search_function, cast.guardian_1, "läxorna")
    assert set(found(search_function, cast.guardian_1, "läxa")) == {homework.pk, plural.pk}
    assert found(search_function, cast.guardian_1, "idrotten") != []


@pytest.mark.parametrize("search_function", SEARCHES)
def test_a_guardian_never_finds_another_students_message(cast: Cast, search_function: Searcher) -> None:
    other = say(cast.other_teacher, cast.other_student, "Läxan i svenska är kapitel tre.")
    mine = say(cast.teacher, cast.student, "Läxan i matte är sidan tolv.")
    assert found(search_function, cast.guardian_1, "läxan") == [mine.pk]
    assert found(search_function, cast.other_guardian, "läxan") == [other.pk]
    assert found(search_function, cast.guardian_1, "läxan", student_id=cast.other_student.pk) == []
    assert found(search_function, cast.former_teacher, "läxan") == []
    assert found(search_function, cast.withdrawn_guardian, "läxan") == []
    assert set(found(search_function, cast.principal, "läxan")) == {mine.pk, other.pk}


@pytest.mark.parametrize("search_function", SEARCHES)
def test_private_threads_are_found_only_by_their_audience(cast: Cast, search_function: Searcher) -> None:
    adults = say(
        cast.teacher, cast.student, "Utvecklingssamtalet om läxorna", thread=private_thread(cast, "adults")
    )
    one = private_thread(cast, "guardian", guardian=cast.guardian_1)
    family = say(cast.guardian_1, cast.student, "Hämtningen av läxorna", thread=one)
    assert found(search_function, cast.student, "läxorna") == []
    assert found(search_function, cast.guardian_2, "läxorna") == [adults.pk]
    assert set(found(search_function, cast.guardian_1, "läxorna")) == {adults.pk, family.pk}
    assert set(found(search_function, cast.teacher, "läxorna")) == {adults.pk, family.pk}


@pytest.mark.parametrize("search_function", SEARCHES)
def test_a_retracted_message_is_not_found(cast: Cast, search_function: Searcher) -> None:
    message = say(cast.guardian_1, cast.student, "Fel läxa, förlåt.")
    retract_message(cast.guardian_1, message.pk)
    assert found(search_function, cast.guardian_1, "läxa") == []
    assert found(search_function, cast.principal, "läxa") == []


@pytest.mark.parametrize("search_function", SEARCHES)
def test_the_archive_is_searched_by_its_readers_only(cast: Cast, search_function: Searcher) -> None:
    moved = Message.objects.get(page__student=cast.left_student)
    assert found(search_function, cast.left_student, "flyttade") == [moved.pk]
    assert found(search_function, cast.registrar, "Luleå") == [moved.pk]
    assert found(search_function, cast.principal, "Luleå") == [moved.pk]
    assert found(search_function, cast.teacher, "Luleå") == []
    assert found(search_function, cast.guardian_1, "Luleå") == []


@pytest.mark.parametrize("search_function", SEARCHES)
def test_html_in_a_message_is_escaped_in_the_snippet(cast: Cast, search_function: Searcher) -> None:
    say(
        cast.guardian_1,
        cast.student,
        'Läxan 5 < 7 & <img src=x onerror="alert(1)"> <mark>klar</mark> <b>fet</b>',
    )
    [hit] = search_function(cast.guardian_1, clean_query("läxan")).hits
    # Only the highlight is markup: tags in the text are escaped (or, by PostgreSQL's
    # headline, left out), never passed through.
    assert "<img" not in hit.snippet
    assert "<b>" not in hit.snippet
    assert hit.snippet.count("<mark>") == 1
    assert "<mark>Läxan</mark>" in hit.snippet
    assert "5 &lt; 7 &amp;" in hit.snippet


def test_full_text_ranks_better_matches_first_and_pages(cast: Cast) -> None:
    for n in range(5):
        say(cast.teacher, cast.student, f"Meddelande {n} om idrott.")
    best = say(cast.teacher, cast.student, "Läxa, läxa och mer läxa.")
    say(cast.teacher, cast.student, "En läxa.")
    first = search_full_text(cast.guardian_1, "läxa", limit=1)
    assert [hit.message.pk for hit in first.hits] == [best.pk]
    assert first.has_next
    second = search_full_text(cast.guardian_1, "läxa", limit=1, offset=1)
    assert not second.has_next
    assert second.hits[0].message.pk != best.pk


@pytest.mark.parametrize("search_function", SEARCHES)
def test_a_search_is_one_query_however_many_hits(cast: Cast, search_function: Searcher) -> None:
    for n in range(12):
        say(cast.teacher, cast.student, f"Läxa nummer {n}.")
        say(cast.other_teacher, cast.other_student, f"Läxa nummer {n}.")
    with CaptureQueriesContext(connection) as captured:
        results = search_function(cast.principal, "läxa")
        [(hit.student.pk, hit.thread_title, hit.message.author.display_name) for hit in results.hits]
    assert len(results.hits) == 20
    assert results.has_next
    assert len(captured) == 1, [q["sql"][:80] for q in captured]


def test_search_picks_the_database_way(cast: Cast) -> None:
    message = say(cast.teacher, cast.student, "Läxorna är rättade.")
    assert [hit.message.pk for hit in search(cast.guardian_1, "läxa").hits] == [message.pk]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_query"),
        ("   ", "empty_query"),
        ("x" * 201, "query_too_long"),
        ("!?…%&", "query_without_words"),
    ],
)
def test_a_query_without_something_to_search_is_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(Refused) as refused:
        clean_query(text)
    assert refused.value.code == code


def test_query_words_are_stemmed_in_swedish() -> None:
    assert stems("Läxorna läxa") == ["läx"]
    assert stems("  provet, prov! ") == ["prov"]


def test_relations_to_many_students_agree_with_one_at_a_time(cast: Cast) -> None:
    students = [cast.student, cast.other_student, cast.left_student, cast.teacher]
    for role in ("student", "guardian_1", "teacher", "principal", "registrar", "other_guardian"):
        viewer = cast.person(role)
        assert viewer is not None
        together = relations_to_students(viewer, [s.pk for s in students])
        assert together == {s.pk: relation_to_student(viewer, s) for s in students}, role


def test_the_full_text_search_uses_the_swedish_index(cast: Cast) -> None:
    say(cast.teacher, cast.student, "Läxorna är rättade.")
    query = SearchQuery("läxa", config="swedish", search_type="websearch")
    matching = readable_messages(cast.guardian_1).annotate(found=SearchedText()).filter(found=query)
    with connection.cursor() as cursor:
        # A table this small is read whole unless the planner is told not to.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.explain()
    assert "dialogue_message_body_swedish_fts" in plan
    assert [m.pk for m in matching] != []


def test_a_documents_texts_are_searched_through_its_card(cast: Cast) -> None:
    """An assessment's texts ("what the student can", "how to develop") are on its card."""
    assessment = assessment_objects(cast)["assessment"]
    card = Message.objects.get(card__type="assessment", card__id=assessment.pk)
    assert found(search_full_text, cast.guardian_1, "bråken") == [card.pk]
    assert found(search_full_text, cast.student, "räknade") == [card.pk]
    assert found(search_full_text, cast.other_guardian, "bråk") == []


def test_the_stem_search_finds_a_capitalised_swedish_word(cast: Cast) -> None:
    """SQLite's LIKE folds only ASCII: the capitalised stem is matched too."""
    message = say(cast.teacher, cast.student, "Återkopplingen kommer på fredag.")
    assert found(search_stems, cast.guardian_1, "återkoppling") == [message.pk]
