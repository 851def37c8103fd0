"""Posts on the class blog: who writes them, approval of students' posts, what each person
sees, scheduling, pinning, the guard, and refusals that save nothing."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import events, policy
from accounts.errors import Refused, SensitiveText
from classblog import doors, queries
from classblog.actions import (
    FileChoice,
    announce_due_posts,
    approve_post,
    blog_of,
    change_settings,
    decline_post,
    pin_post,
    upload_file,
    write_post,
)
from classblog.doors import rights_in
from classblog.flags import FlagSource
from classblog.models import MAX_POST_LENGTH, MAX_TITLE_LENGTH, ClassBlog, Post
from tests.support.blog import (
    DECLINED,
    NOWHERE,
    PUBLIC,
    SCHEDULED,
    WAITING,
    approved_post,
    classmate,
    comment,
    pending_post,
    png_bytes,
    published_post,
    set_blog,
    where_seen,
)
from tests.support.cast import Cast
from writing.models import FlaggedText

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

SENSITIVE = "Hon har en diagnos sedan i våras."


def last_seq(cast: Cast) -> int:
    return ClassBlog.objects.get(school_class=cast.class_4a).last_seq


@pytest.fixture
def announced() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """What the blog announces for notifications (after the commit), in order."""
    heard: list[tuple[str, dict[str, Any]]] = []

    def receiver(sender: Any, kind: str, signal: Any, **data: Any) -> None:
        heard.append((kind, data))

    events.announced.connect(receiver, dispatch_uid="test_blog_announcements")
    yield heard
    events.announced.disconnect(dispatch_uid="test_blog_announcements")


# --- Approval and who sees what ---------------------------------------------------------------


def test_a_students_post_is_unseen_by_classmates_and_guardians_until_a_teacher_approves_it(
    cast: Cast,
) -> None:
    mate, mates_guardian = classmate(cast)
    post = pending_post(cast)

    for user in (mate, mates_guardian, cast.guardian_1, cast.guardian_2):
        assert where_seen(user, post) == NOWHERE, user
    for user in (cast.student, cast.teacher, cast.principal):
        assert where_seen(user, post) == WAITING, user

    approve_post(cast.teacher, post)

    readers = set(policy.readers_of_class_blog(cast.class_4a))
    assert readers == {
        cast.student,
        mate,
        mates_guardian,
        cast.guardian_1,
        cast.guardian_2,
        cast.teacher,
        cast.principal,
    }
    for user in readers:
        assert where_seen(user, post) == PUBLIC, user
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.reviewed_by == cast.teacher
    assert post.reviewed_at is not None
    assert post.publish_at == post.announced_at == post.reviewed_at


def test_a_declined_post_stays_on_record_and_only_its_author_sees_it_with_the_reason(cast: Cast) -> None:
    mate, mates_guardian = classmate(cast)
    post = pending_post(cast)
    reason = "Skriv gärna om utflykten i stället; den här texten passar inte på bloggen."

    decline_post(cast.teacher, post, reason=reason)

    stored = Post.objects.get(pk=post.pk)
    assert stored.status == Post.Status.DECLINED
    assert stored.decline_reason == reason
    assert stored.reviewed_by == cast.teacher
    assert stored.body == post.body
    assert where_seen(cast.student, post) == DECLINED
    blog = blog_of(cast.class_4a)
    (declined,) = queries.blog_page(blog, cast.student, rights_in(cast.student, blog)).declined
    assert declined.decline_reason == reason
    for user in (mate, mates_guardian, cast.guardian_1, cast.guardian_2):
        assert where_seen(user, post) == NOWHERE, user
    # The moderators' catch-up still names it (to take it out of an open queue); its
    # content is seen nowhere.
    for user in (cast.teacher, cast.principal):
        assert where_seen(user, post) == {"changes"}, user


def test_declining_needs_a_reason_and_leaves_the_post_waiting(cast: Cast) -> None:
    post = pending_post(cast)
    for reason in ("", "   "):
        with pytest.raises(Refused) as refused:
            decline_post(cast.teacher, post, reason=reason)
        assert refused.value.code == "empty"
        assert refused.value.message
    too_long = "x" * 301
    with pytest.raises(Refused) as refused:
        decline_post(cast.teacher, post, reason=too_long)
    assert refused.value.code == "too_long"
    assert "300" in refused.value.message
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert post.reviewed_by is None


def test_only_the_classes_teachers_and_the_principal_approve_or_decline(cast: Cast) -> None:
    post = pending_post(cast)
    for user in (
        cast.student,
        cast.guardian_1,
        cast.other_teacher,
        cast.former_teacher,
        cast.other_principal,
        cast.school_admin,
        cast.operator,
    ):
        with pytest.raises(PermissionDenied):
            approve_post(user, post)
        with pytest.raises(PermissionDenied):
            decline_post(user, post, reason="Nej.")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert approve_post(cast.principal, post).reviewed_by == cast.principal


def test_a_post_is_approved_or_declined_only_once(cast: Cast) -> None:
    post = approved_post(cast)
    with pytest.raises(Refused) as again:
        approve_post(cast.principal, post)
    assert again.value.code == "not_pending"
    with pytest.raises(Refused) as decline:
        decline_post(cast.principal, post, reason="För sent.")
    assert decline.value.code == "not_pending"
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.reviewed_by == cast.teacher


def test_a_teachers_post_is_published_at_once_for_the_whole_class(
    cast: Cast, announced: list[tuple[str, dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post = published_post(cast)
    assert post.status == Post.Status.PUBLISHED
    assert post.announced_at == post.publish_at
    for user in policy.readers_of_class_blog(cast.class_4a):
        assert where_seen(user, post) == PUBLIC, user
    assert announced == [
        (
            "blog.post_published",
            {"actor_id": cast.teacher.pk, "post_id": post.pk, "class_id": cast.class_4a.pk},
        )
    ]


def test_a_students_post_is_announced_to_the_teachers_as_submitted_then_as_approved(
    cast: Cast, announced: list[tuple[str, dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post = pending_post(cast)
    with django_capture_on_commit_callbacks(execute=True):
        approve_post(cast.teacher, post)
    ids = {"post_id": post.pk, "class_id": cast.class_4a.pk}
    assert announced == [
        ("blog.post_submitted", {"actor_id": post.author_id, **ids}),
        ("blog.post_approved", {"actor_id": cast.teacher.pk, **ids}),
    ]


# --- Who writes -------------------------------------------------------------------------------


def test_students_write_posts_only_when_the_class_allows_it(cast: Cast) -> None:
    assert not blog_of(cast.class_4a).student_posts  # the default
    with pytest.raises(PermissionDenied):
        write_post(cast.student, cast.class_4a, title="Hej", body="Hej klassen!", client_id=uuid.uuid4())
    assert not Post.objects.exists()

    set_blog(cast, student_posts=True)
    post = write_post(cast.student, cast.class_4a, title="Hej", body="Hej klassen!", client_id=uuid.uuid4())
    assert post.status == Post.Status.PENDING
    assert post.publish_at is None


@pytest.mark.parametrize(
    "role",
    [
        "guardian_1",
        "other_student",
        "other_guardian",
        "other_teacher",
        "other_principal",
        "school_admin",
        "former_teacher",
        "withdrawn_guardian",
        "operator",
    ],
)
def test_guardians_and_people_outside_the_class_cannot_write_posts(role: str, cast: Cast) -> None:
    set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
    user = cast.person(role)
    assert user is not None
    with pytest.raises(PermissionDenied):
        write_post(user, cast.class_4a, title="Hej", body="Hej klassen!", client_id=uuid.uuid4())
    assert not Post.objects.exists()


def test_only_the_classes_teachers_and_the_principal_change_the_blogs_settings(cast: Cast) -> None:
    for user in (
        cast.student,
        cast.guardian_1,
        cast.other_teacher,
        cast.former_teacher,
        cast.other_principal,
    ):
        with pytest.raises(PermissionDenied):
            change_settings(user, cast.class_4a, student_posts=True, comments="everyone")
    blog = change_settings(cast.teacher, cast.class_4a, student_posts=True, comments="everyone")
    assert (blog.student_posts, blog.comments, blog.updated_by) == (True, "everyone", cast.teacher)
    with pytest.raises(Refused) as refused:
        change_settings(cast.teacher, cast.class_4a, student_posts=True, comments="guardians")
    assert refused.value.code == "invalid"
    blog.refresh_from_db()
    assert blog.comments == "everyone"


# --- Bad input saves nothing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "code", "in_message"),
    [
        ("x" * (MAX_TITLE_LENGTH + 1), "Hej!", "too_long", str(MAX_TITLE_LENGTH)),
        ("Hej", "x" * (MAX_POST_LENGTH + 1), "too_long", str(MAX_POST_LENGTH)),
        ("", "Hej!", "empty", ""),
        ("   ", "Hej!", "empty", ""),
        ("Hej", "", "empty", ""),
        ("Hej", " \n\t ", "empty", ""),
    ],
    ids=["title too long", "body too long", "no title", "blank title", "no body", "blank body"],
)
def test_a_post_with_a_missing_or_too_long_title_or_text_is_refused_and_nothing_is_saved(
    title: str, body: str, code: str, in_message: str, cast: Cast
) -> None:
    set_blog(cast, student_posts=True)
    for author in (cast.teacher, cast.student):
        seq = last_seq(cast)
        with pytest.raises(Refused) as refused:
            write_post(author, cast.class_4a, title=title, body=body, client_id=uuid.uuid4())
        assert refused.value.code == code
        assert refused.value.message
        assert in_message in refused.value.message
        assert not Post.objects.exists()
        assert last_seq(cast) == seq


def test_a_title_and_text_exactly_at_the_limits_are_accepted(cast: Cast) -> None:
    post = published_post(cast, title="T" * MAX_TITLE_LENGTH, body="b" * MAX_POST_LENGTH)
    assert len(post.title) == MAX_TITLE_LENGTH
    assert len(post.body) == MAX_POST_LENGTH


def test_the_same_form_sent_twice_makes_one_post(cast: Cast) -> None:
    client_id = uuid.uuid4()
    first = write_post(cast.teacher, cast.class_4a, title="Läxa", body="Läs kapitel 3.", client_id=client_id)
    again = write_post(
        cast.teacher, cast.class_4a, title="Läxa (igen)", body="Läs kapitel 3.", client_id=client_id
    )
    assert again.pk == first.pk
    assert again.title == "Läxa"
    assert Post.objects.count() == 1
    assert last_seq(cast) == first.change_seq == 1


def test_the_same_client_id_from_two_writers_makes_two_posts(cast: Cast) -> None:
    client_id = uuid.uuid4()
    mine = write_post(cast.teacher, cast.class_4a, title="A", body="Text.", client_id=client_id)
    theirs = write_post(cast.principal, cast.class_4a, title="B", body="Text.", client_id=client_id)
    assert mine.pk != theirs.pk


def test_the_markdown_of_a_post_is_rendered_and_raw_html_is_not(cast: Cast) -> None:
    post = published_post(cast, body="Ta med **matsäck**. <script>alert(1)</script>")
    assert "<strong>matsäck</strong>" in post.body_html
    assert "<script>" not in post.body_html


# --- Scheduled posts ----------------------------------------------------------------------------


def test_a_scheduled_post_is_unseen_by_the_class_until_its_time_and_announced_once(
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    announced: list[tuple[str, dict[str, Any]]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = timezone.now()
    due = start + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        post = published_post(cast, publish_at=due)
    assert post.is_scheduled
    assert post.announced_at is None
    for user in (cast.student, cast.guardian_1, cast.guardian_2):
        assert where_seen(user, post) == NOWHERE, user
    for user in (cast.teacher, cast.principal):
        assert where_seen(user, post) == SCHEDULED, user
    assert announce_due_posts() == 0
    assert announced == []

    later = due + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the clock reaches the post's time
    seq = last_seq(cast)
    blog = blog_of(cast.class_4a)
    for user in policy.readers_of_class_blog(cast.class_4a):
        assert where_seen(user, post) == PUBLIC, user  # seen from its time, announced or not

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_due_posts() == 1
        assert announce_due_posts() == 0
    post.refresh_from_db()
    assert post.announced_at == later
    assert post.change_seq == seq + 1
    assert queries.changed_since(blog, cast.student, rights_in(cast.student, blog), seq) == [post.pk]
    assert announced == [
        (
            "blog.post_published",
            {"actor_id": cast.teacher.pk, "post_id": post.pk, "class_id": cast.class_4a.pk},
        )
    ]


def test_a_time_already_passed_publishes_the_post_at_once(cast: Cast) -> None:
    post = published_post(cast, publish_at=timezone.now() - datetime.timedelta(hours=1))
    assert not post.is_scheduled
    assert post.announced_at == post.publish_at
    assert where_seen(cast.student, post) == PUBLIC


def test_a_post_cannot_be_scheduled_more_than_a_year_ahead(cast: Cast) -> None:
    with pytest.raises(Refused) as refused:
        published_post(cast, publish_at=timezone.now() + datetime.timedelta(days=400))
    assert refused.value.code == "too_late"
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "options",
    [{"publish_at": "tomorrow"}, {"pinned": True}],
    ids=["scheduled", "pinned"],
)
def test_students_neither_schedule_nor_pin_their_posts(options: dict[str, Any], cast: Cast) -> None:
    if options.get("publish_at") == "tomorrow":
        options = {"publish_at": timezone.now() + datetime.timedelta(days=1)}
    set_blog(cast, student_posts=True)
    with pytest.raises(Refused) as refused:
        write_post(cast.student, cast.class_4a, title="Hej", body="Hej!", client_id=uuid.uuid4(), **options)
    assert refused.value.code == "forbidden"
    assert not Post.objects.exists()


# --- Pinning ----------------------------------------------------------------------------------


def test_a_pinned_post_stays_on_top_of_the_blog_until_unpinned(cast: Cast) -> None:
    old = published_post(cast, title="Terminens schema")
    new = published_post(cast, title="Fredagens utflykt")
    blog = blog_of(cast.class_4a)

    def order() -> list[int]:
        return [p.pk for p in queries.blog_page(blog, cast.student, rights_in(cast.student, blog)).posts]

    assert order() == [new.pk, old.pk]
    pin_post(cast.teacher, old, pinned=True)
    assert order() == [old.pk, new.pk]
    old.refresh_from_db()
    assert old.pinned_by == cast.teacher
    seq = old.change_seq
    assert pin_post(cast.teacher, old, pinned=True).change_seq == seq  # pinning again changes nothing
    pin_post(cast.principal, old, pinned=False)
    assert order() == [new.pk, old.pk]


def test_only_moderators_pin_and_only_published_posts(cast: Cast) -> None:
    post = published_post(cast)
    for user in (cast.student, cast.guardian_1, cast.other_teacher):
        with pytest.raises(PermissionDenied):
            pin_post(user, post, pinned=True)
    with pytest.raises(Refused) as refused:
        pin_post(cast.teacher, pending_post(cast), pinned=True)
    assert refused.value.code == "not_published"


def test_a_teacher_can_publish_a_post_pinned(cast: Cast) -> None:
    post = published_post(cast, pinned=True)
    assert post.pinned_at is not None
    assert post.pinned_by == cast.teacher


# --- The guard ----------------------------------------------------------------------------------


def test_a_post_with_sensitive_text_is_held_back_until_sent_anyway_and_then_flagged(cast: Cast) -> None:
    with pytest.raises(SensitiveText) as warned:
        published_post(cast, body=SENSITIVE)
    assert warned.value.findings
    assert set(warned.value.by_field) == {"body"}
    assert not Post.objects.exists()
    assert not FlaggedText.objects.exists()

    post = published_post(cast, body=SENSITIVE, send_anyway=True)

    assert post.status == Post.Status.PUBLISHED
    flag = FlaggedText.objects.get()
    assert flag.source == FlagSource.BLOG_POST
    assert flag.source_id == post.pk
    assert flag.student is None
    assert flag.school == cast.school
    assert flag.author == cast.teacher
    assert SENSITIVE in flag.text
    assert flag.findings
    assert policy.can_review_flagged_texts(cast.principal, flag.school)


def test_a_sensitive_title_is_caught_like_the_text(cast: Cast) -> None:
    with pytest.raises(SensitiveText) as warned:
        published_post(cast, title="Om hans diagnos", body="Vi pratar om det på mötet.")
    assert set(warned.value.by_field) == {"title"}
    assert not Post.objects.exists()


def test_a_students_post_sent_anyway_waits_for_approval_and_is_flagged(cast: Cast) -> None:
    post = pending_post(cast, body=SENSITIVE, send_anyway=True)
    assert post.status == Post.Status.PENDING
    flag = FlaggedText.objects.get(source=FlagSource.BLOG_POST, source_id=post.pk)
    assert flag.author == cast.student
    assert flag.student is None


def test_a_post_refused_by_the_guard_keeps_its_uploaded_files_for_the_next_try(cast: Cast) -> None:
    image = upload_file(cast.teacher, cast.class_4a, name="sjon.png", data=png_bytes())
    files = [FileChoice(image.pk, alt_text="Sjön i morgondimma")]
    with pytest.raises(SensitiveText):
        published_post(cast, body=SENSITIVE, files=files)
    image.refresh_from_db()
    assert image.post is None
    post = published_post(cast, body=SENSITIVE, files=files, send_anyway=True)
    image.refresh_from_db()
    assert image.post == post


# --- Event numbers and reads --------------------------------------------------------------------


def test_every_change_gets_the_blogs_next_event_number_and_the_catch_up_follows_it(cast: Cast) -> None:
    mate, _guardian = classmate(cast)
    first = published_post(cast)
    pending = pending_post(cast)
    assert (first.change_seq, pending.change_seq) == (1, 2)
    blog = blog_of(cast.class_4a)
    mates_rights = rights_in(mate, blog)
    assert queries.changed_since(blog, mate, mates_rights, 0) == [first.pk]  # not the waiting post
    assert queries.changed_since(blog, cast.teacher, rights_in(cast.teacher, blog), 1) == [pending.pk]

    approve_post(cast.teacher, pending)
    comment(mate, first)
    assert last_seq(cast) == 4
    assert queries.changed_since(blog, mate, mates_rights, 2) == [pending.pk, first.pk]
    assert queries.changed_since(blog, mate, mates_rights, 4) == []
    assert queries.blog_heads([cast.class_4a.pk, cast.class_4b.pk]) == {cast.class_4a.pk: 4}


def test_a_post_declined_by_one_teacher_leaves_the_other_moderators_queue_on_catch_up(cast: Cast) -> None:
    """The principal's open queue missed the decline: the catch-up names the post (its
    fetch then answers 404 and the page removes it), but tells the classmate nothing."""
    mate, _guardian = classmate(cast)
    pending = pending_post(cast)
    blog = blog_of(cast.class_4a)
    decline_post(cast.teacher, pending, reason="Skriv om det utan efternamn.")
    principals_rights = rights_in(cast.principal, blog)
    assert queries.changed_since(blog, cast.principal, principals_rights, pending.change_seq) == [pending.pk]
    assert not doors.may_see_post(cast.principal, pending.pk)
    assert queries.changed_since(blog, mate, rights_in(mate, blog), 0) == []


def test_the_blog_page_takes_as_many_queries_for_many_posts_as_for_one(cast: Cast) -> None:
    set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
    blog = blog_of(cast.class_4a)

    def queries_for_page(user: Any) -> int:
        rights = rights_in(user, blog)
        with CaptureQueriesContext(connection) as captured:
            page = queries.blog_page(blog, user, rights)
            for post in [*page.posts, *page.waiting, *page.scheduled, *page.declined]:
                for file in post.files.all():
                    assert file.alt_text is not None
                for written in post.comments.all():
                    assert written.author.display_name
                    assert written.hidden_by is None or written.hidden_by.display_name
                assert post.author.display_name
        return len(captured)

    def add_posts(count: int) -> None:
        for number in range(count):
            image = upload_file(cast.teacher, cast.class_4a, name=f"bild{number}.png", data=png_bytes())
            post = published_post(
                cast, title=f"Inlägg {number}", files=[FileChoice(image.pk, alt_text="En sjö")]
            )
            comment(cast.student, post)
            comment(cast.guardian_1, post)
            pending_post(cast, title=f"Elevinlägg {number}")
            published_post(
                cast, title=f"Senare {number}", publish_at=timezone.now() + datetime.timedelta(days=1)
            )

    add_posts(1)
    few = {user: queries_for_page(user) for user in (cast.teacher, cast.student, cast.guardian_1)}
    add_posts(5)
    many = {user: queries_for_page(user) for user in (cast.teacher, cast.student, cast.guardian_1)}
    assert many == few
    # Posts, their files, their comments; the same again for the queue (the approval queue
    # and scheduled posts for the teacher, the student's own waiting posts), if it has any.
    assert few == {cast.teacher: 6, cast.student: 6, cast.guardian_1: 4}


def test_the_blog_list_names_a_guardians_children_and_counts_the_waiting_posts_for_teachers(
    cast: Cast,
) -> None:
    pending_post(cast)
    [guardians_blog] = queries.blogs_of(cast.guardian_1)
    assert guardians_blog.school_class == cast.class_4a
    assert guardians_blog.children == [cast.student.display_name]
    assert not guardians_blog.archived
    assert guardians_blog.waiting == 0
    teachers = {entry.school_class: entry for entry in queries.blogs_of(cast.teacher)}
    assert set(teachers) == {cast.class_4a}
    assert teachers[cast.class_4a].waiting == 1
    principals = {entry.school_class: entry.waiting for entry in queries.blogs_of(cast.principal)}
    assert principals == {cast.class_4a: 1, cast.class_4b: 0}
    assert queries.blogs_of(cast.student)[0].waiting == 0
    assert queries.blogs_of(cast.other_principal)[0].school_class == cast.class_5c
    assert queries.blogs_of(cast.withdrawn_guardian) == []
