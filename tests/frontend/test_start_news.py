"""The start page shows what is new since the person last looked, per child (a guardian),
for themself (a student), per class (a teacher) and per school (a principal), in a fixed
number of queries whatever the number of children, classes, students or threads."""

from __future__ import annotations

import datetime
import uuid
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.models import SchoolClass, User
from classblog.actions import write_post
from dialogue.actions import talks
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.actions.goals import propose_goal
from dialogue.actions.messages import mark_read, post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from notifications.fanout import fan_out_waiting
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import action_programme_objects, dialogue_objects

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

# session, user, OTP requirement (family) or the verified device (staff).
OVERHEAD = 3


def _queries(client, url: str = "/") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _say(author: User, student: User, body: str, *, subject_id: int | None = None) -> None:
    page = page_of(student)
    thread = (
        page.threads.get(kind=Thread.Kind.SUBJECT, subject_id=subject_id)
        if subject_id
        else page.threads.get(kind=Thread.Kind.GENERAL)
    )
    post_message(author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())


def _news_for(cast: Cast, student: User, school_class: SchoolClass, *, slot_hour: int) -> None:
    """Two unread messages in the general thread and one in maths, a published maths
    assessment and a booked talk next week, on the student's page, for guardian_1."""
    _say(cast.teacher, student, "Hej! Utflykten är på torsdag.")
    _say(cast.teacher, student, "Glöm inte matsäcken.")
    _say(cast.teacher, student, "Vi börjar med bråk.", subject_id=cast.maths.pk)
    draft, _findings = save_draft(
        cast.teacher,
        school_class,
        student,
        cast.maths,
        levels={},
        can_text="Räknar säkert.",
        develop_text="Nästa steg är bråk.",
    )
    publish_assessment(cast.teacher, draft.pk)
    slot = talks.open_talk_slots(
        cast.teacher,
        school_class,
        day=timezone.localdate() + datetime.timedelta(days=7),
        start=datetime.time(slot_hour, 0),
        minutes=30,
        place="Klassrummet",
    )[0]
    talks.book_talk(cast.guardian_1, student, slot.pk)
    fan_out_waiting()


def _another_child(cast: Cast, index: int) -> tuple[User, SchoolClass]:
    school_class = s.create_class(
        SYSTEM, cast.school, cast.class_4a.school_year, name=f"6{chr(65 + index)}", grade=6
    )
    m.assign_teaching(SYSTEM, cast.teacher, school_class, cast.maths)
    child = p.create_person(SYSTEM, username=f"barn{index}", first_name=f"Barn{index}", last_name="Andersson")
    m.enrol_student(SYSTEM, child, school_class)
    m.add_guardianship(SYSTEM, cast.guardian_1, child)
    return child, school_class


def test_guardian_sees_per_child_unread_threads_new_assessment_and_coming_talk(cast: Cast) -> None:
    _news_for(cast, cast.student, cast.class_4a, slot_hour=13)
    page = verified_client(cast.guardian_1).get("/").content.decode()
    card = page.split(f'data-student="{cast.student.pk}"')[1].split("</article>")[0]
    general = page_of(cast.student).threads.get(kind=Thread.Kind.GENERAL)
    assert f'href="/students/{cast.student.pk}/?thread={general.pk}">Allmänt</a>' in card
    assert ">Matematik</a>" in card  # a message and the assessment's card
    assert card.count("2 nya meddelanden") == 2
    assert "4 olästa" in card
    assert "Nytt skriftligt omdöme i Matematik" in card
    assert "Utvecklingssamtal" in card
    assert "med Lars Lund" in card
    # The messages are counted per thread, not told again from the inbox.
    assert "Nytt meddelande från" not in page


def test_what_was_read_is_no_longer_new(cast: Cast) -> None:
    _news_for(cast, cast.student, cast.class_4a, slot_hour=13)
    client = verified_client(cast.guardian_1)
    page = page_of(cast.student)
    for thread in page.threads.all():
        mark_read(cast.guardian_1, page, thread_id=thread.pk, seq=page.last_seq)
    news = client.get("/").content.decode()
    assert "nya meddelanden" not in news
    assert 'data-testid="unread"' not in news
    # Opening the assessment from the start page marks it read there and in the inbox.
    link = news.split("Nytt skriftligt omdöme")[0].rsplit('href="', 1)[1].split('"')[0]
    assert client.get(link).status_code == 302
    news = client.get("/").content.decode()
    assert "Nytt skriftligt omdöme" not in news
    assert "Utvecklingssamtal" in news  # coming up stays until it has been held


def test_a_child_without_news_says_so(cast: Cast) -> None:
    page = verified_client(cast.guardian_1).get("/").content.decode()
    assert "Inget nytt sedan du tittade senast." in page


def test_guardian_start_page_queries_do_not_grow_with_children_or_threads(cast: Cast) -> None:
    _news_for(cast, cast.student, cast.class_4a, slot_hour=13)
    client = verified_client(cast.guardian_1)
    # own enrolments, children with their enrolments (2), teaching, mentoring, led and
    # administered schools; unread inbox lines and their newest notifications (2); unread
    # messages per thread and the threads (2); coming talks
    expected = OVERHEAD + 7 + 2 + 2 + 1
    count, page = _queries(client)
    assert count == expected
    for index in range(2):
        child, school_class = _another_child(cast, index)
        _news_for(cast, child, school_class, slot_hour=9 + index)
    count, page = _queries(client)
    assert count == expected
    assert page.count('data-testid="student-news"') == 3
    assert page.count("Nytt skriftligt omdöme i Matematik") == 3


def test_a_new_blog_post_shows_beside_the_child_in_its_class(cast: Cast) -> None:
    write_post(cast.teacher, cast.class_4a, title="Utflykt", body="På fredag.", client_id=uuid.uuid4())
    fan_out_waiting()
    client = verified_client(cast.guardian_1)
    count, page = _queries(client)
    card = page.split(f'data-student="{cast.student.pk}"')[1].split("</article>")[0]
    assert "Nytt inlägg i klassbloggen för 4A" in card
    # no unread messages (so no threads to fetch), and the posts' classes in one query
    assert count == OVERHEAD + 7 + 2 + 1 + 1 + 1
    write_post(cast.teacher, cast.class_4a, title="Bilder", body="Från utflykten.", client_id=uuid.uuid4())
    fan_out_waiting()
    again, page = _queries(client)
    assert again == count
    # One teacher's posts on one blog are one line, here and in the inbox.
    card = page.split(f'data-student="{cast.student.pk}"')[1].split("</article>")[0]
    assert "2 nya inlägg i klassbloggen för 4A" in card
    assert "Nytt inlägg" not in card
    inbox = client.get(reverse("notifications")).content.decode()
    assert inbox.count('class="inbox__link"') == 1
    assert "2 nya inlägg i klassbloggen för 4A" in inbox


def test_student_sees_their_own_news(cast: Cast) -> None:
    _say(cast.guardian_1, cast.student, "Kom ihåg gympapåsen!")
    page = verified_client(cast.student).get("/").content.decode()
    assert f'data-student="{cast.student.pk}"' in page
    assert "1 nytt meddelande" in page


def _teacher_news(cast: Cast, student: User, school_class: SchoolClass) -> None:
    _say(cast.guardian_1, student, "Hej, en fråga om läxan.")
    _say(cast.guardian_1, student, "Och en till.", subject_id=cast.maths.pk)
    save_draft(
        cast.teacher, school_class, student, cast.maths, levels={}, can_text="Utkast.", develop_text=""
    )
    propose_goal(cast.guardian_1, student, text="Läsa en bok i veckan.")


def test_teacher_sees_per_class_students_with_unread_drafts_proposals_and_talks(cast: Cast) -> None:
    _teacher_news(cast, cast.student, cast.class_4a)
    action_programme_objects(cast)  # adopted: not a draft any more
    slot = talks.open_talk_slots(
        cast.teacher,
        cast.class_4a,
        day=timezone.localdate() + datetime.timedelta(days=3),
        start=datetime.time(10, 0),
        minutes=30,
        place="Klassrummet",
    )[0]
    talks.book_talk(cast.guardian_2, cast.student, slot.pk)
    fan_out_waiting()
    page = verified_client(cast.teacher).get("/").content.decode()
    card = page.split(f'data-class="{cast.class_4a.pk}"')[1].split("</article>")[0]
    assert f'<a href="/students/{cast.student.pk}/">Anna Andersson</a> <span class="news__meta">4 nya' in card
    assert f'href="/classes/{cast.class_4a.pk}/assessments/{cast.maths.pk}/"' in card
    assert "1 utkast att göra klart" in card
    assert "1 föreslaget mål att ta ställning till" in card
    assert f'href="/students/{cast.student.pk}/talks/' in card
    assert 'data-testid="programme-drafts"' not in page


def test_teacher_start_page_queries_do_not_grow_with_classes_or_students(cast: Cast) -> None:
    _teacher_news(cast, cast.student, cast.class_4a)
    fan_out_waiting()
    client = verified_client(cast.teacher)
    # own enrolments, children, teaching, mentoring, the classes' students, led and
    # administered schools; unread inbox lines and their newest notifications (2); unread
    # messages per student, proposed goals, assessment drafts, coming talks, action
    # programme drafts
    expected = OVERHEAD + 7 + 2 + 5
    assert _queries(client)[0] == expected
    for index in range(2):
        child, school_class = _another_child(cast, index)
        _teacher_news(cast, child, school_class)
    fan_out_waiting()
    count, page = _queries(client)
    assert count == expected
    assert page.count('data-testid="class-news"') == 3
    assert page.count("1 utkast att göra klart") == 3


def test_principal_sees_the_follow_up_and_flagged_texts_waiting(cast: Cast) -> None:
    dialogue_objects(cast)  # one flagged text
    client = verified_client(cast.principal)
    # own enrolments, children, teaching, mentoring, led and administered schools; unread
    # inbox lines; flagged texts waiting per school; action programme drafts
    count, page = _queries(client)
    assert count == OVERHEAD + 6 + 1 + 1 + 1
    assert f'href="{reverse("follow-up", args=[cast.school.pk])}">Uppföljning</a>' in page
    assert f'href="{reverse("flagged-texts", args=[cast.school.pk])}">Flaggade texter</a>' in page
    assert "1 väntar på granskning" in page


class _Links(HTMLParser):
    """The text of every link of a page (as ``textContent`` gives it)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self.texts.append("".join(self._open.pop()))

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)


def link_texts(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.texts


@pytest.mark.parametrize("role", ["guardian_1", "student", "teacher", "principal"])
def test_no_link_text_on_the_start_page_or_inbox_starts_or_ends_with_space(cast: Cast, role: str) -> None:
    _news_for(cast, cast.student, cast.class_4a, slot_hour=13)
    _teacher_news(cast, cast.student, cast.class_4a)
    dialogue_objects(cast)
    fan_out_waiting()
    client = verified_client(getattr(cast, role))
    for url in ("/", reverse("notifications")):
        texts = link_texts(client.get(url).content.decode())
        assert texts
        padded = [text for text in texts if text != text.strip()]
        assert padded == [], (url, padded)
