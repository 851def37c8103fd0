"""The student page with a long history (issue 19): its render takes the same queries with
10 and with hundreds of messages, unread counts stop at ``UNREAD_CAP`` ("99+"), and the
first unread message is found however much was read before it."""

from __future__ import annotations

import datetime
import uuid

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from dialogue import queries
from dialogue.actions.messages import mark_read, post_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, StudentPage, Thread
from tests.support.cast import Cast
from tests.support.clients import verified_client

# session and user (the family passes no code step) + the door, threads, messages and their
# files, who can see the page, unread per thread, first unread, and the reader's own
# receipts (readers, their names, progress rows): fixed, whatever the history.
STUDENT_PAGE_QUERIES = 19


def add_history(page: StudentPage, threads: list[Thread], authors: list[User], count: int) -> None:
    """``count`` messages bulk-inserted after the page's latest event (gapless numbers, the
    threads and authors in turn), as a long history would have left them (a shortcut: the
    send action is tested on its own)."""
    page.refresh_from_db()
    Message.objects.bulk_create(
        Message(
            page=page,
            thread=threads[index % len(threads)],
            author=authors[index % len(authors)],
            client_id=uuid.uuid4(),
            body=f"Meddelande {index}",
            body_html=f"<p>Meddelande {index}</p>",
            seq=page.last_seq + index + 1,
            change_seq=page.last_seq + index + 1,
        )
        for index in range(count)
    )
    # Written over the past weeks (not in the last minute, where the send limit looks).
    earlier = timezone.now() - datetime.timedelta(days=14)
    Message.objects.filter(page=page, seq__gt=page.last_seq).update(created_at=earlier)
    StudentPage.objects.filter(pk=page.pk).update(last_seq=F("last_seq") + count)
    page.refresh_from_db()


def test_student_page_takes_the_same_queries_with_10_and_300_messages(cast: Cast) -> None:
    page = page_of(cast.student)
    threads = list(page.threads.order_by("pk"))
    general = page.threads.get(kind=Thread.Kind.GENERAL)
    client = verified_client(cast.guardian_1)
    url = reverse("student", args=[cast.student.pk])

    def look_after(history: int) -> tuple[int, str]:
        add_history(page, threads, [cast.teacher, cast.student, cast.guardian_1], history)
        for thread in threads:  # everything read so far, then something new in every thread
            mark_read(cast.guardian_1, page, thread_id=thread.pk, seq=page.last_seq)
        add_history(page, threads, [cast.teacher], len(threads))
        post_message(cast.guardian_1, page, thread_id=general.pk, body="Tack!", client_id=uuid.uuid4())
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    small, html = look_after(10)
    assert "data-count>1<" in html  # the unread badges, one new message in each thread
    large, html = look_after(300)
    assert "data-count>1<" in html
    assert small == large == STUDENT_PAGE_QUERIES


def test_unread_counts_are_exact_up_to_the_cap_and_shown_as_99_plus_beyond(cast: Cast) -> None:
    page = page_of(cast.student)
    general = page.threads.get(kind=Thread.Kind.GENERAL)
    maths = page.threads.get(kind=Thread.Kind.SUBJECT, subject=cast.maths)
    add_history(page, [general], [cast.teacher], queries.UNREAD_CAP + 50)
    add_history(page, [maths], [cast.teacher, cast.guardian_1], 60)  # 30 by the teacher
    counts = queries.unread_counts(cast.guardian_1, page)
    assert counts[general.pk] == queries.UNREAD_CAP  # that many or more
    assert counts[maths.pk] == 30  # the guardian's own messages are not unread to her
    html = verified_client(cast.guardian_1).get(reverse("student", args=[cast.student.pk])).content.decode()
    assert f'data-unread-for="{general.pk}"><span class="visually-hidden">' in html
    assert f"<span data-count>{queries.UNREAD_CAP - 1}+</span>" in html
    assert "<span data-count>30</span>" in html
    # Read to a point in the middle: counted exactly from there on.
    mark_read(cast.guardian_1, page, thread_id=general.pk, seq=page.last_seq - 60 - 20)
    assert queries.unread_counts(cast.guardian_1, page)[general.pk] == 20


def test_first_unread_is_found_after_a_long_read_history_and_skips_retracted_and_own(cast: Cast) -> None:
    page = page_of(cast.student)
    general = page.threads.get(kind=Thread.Kind.GENERAL)
    add_history(page, [general], [cast.teacher, cast.guardian_1], 400)
    mark_read(cast.guardian_1, page, thread_id=general.pk, seq=page.last_seq)
    assert queries.first_unread_seq(cast.guardian_1, general) is None

    def send(author: User, body: str) -> Message:
        return post_message(author, page, thread_id=general.pk, body=body, client_id=uuid.uuid4())[0]

    own, retracted = send(cast.guardian_1, "Jag"), send(cast.teacher, "Fel")
    Message.objects.filter(pk=retracted.pk).update(retracted_at=retracted.created_at)
    new = send(cast.teacher, "Nytt")
    assert own.seq < retracted.seq < new.seq
    assert queries.first_unread_seq(cast.guardian_1, general) == new.seq
    assert queries.unread_counts(cast.guardian_1, page) == {general.pk: 1}
