"""The blog of a class whose school year has ended is a read-only archive: every write is
refused at the server, and those who were in the class at the year's end still read it."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied

from accounts import policy
from classblog import queries
from classblog.actions import (
    approve_post,
    blog_of,
    change_settings,
    decline_post,
    hide_comment,
    pin_post,
    upload_file,
    write_comment,
    write_post,
)
from classblog.models import ClassBlog, Comment, Post, PostFile
from tests.support.blog import (
    PUBLIC,
    LastYear,
    comment,
    last_years_class,
    png_bytes,
    where_seen,
)
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db


@dataclass
class Archive:
    year: LastYear
    post: Post  # published by last year's teacher
    pending: Post  # the student's, never approved before the year ended
    comment: Comment  # the student's, on ``post``


@pytest.fixture
def archive(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Archive:
    """Last year's 3A with what was written on its blog in the spring (the policy's clock
    set back to then; the actions and the policy are the real ones)."""
    year = last_years_class(cast)
    class_3a = year.school_class
    with monkeypatch.context() as then:
        spring = class_3a.school_year.ends_on - datetime.timedelta(days=10)
        then.setattr(policy.base, "today", lambda: spring)
        teacher = cast.other_teacher  # taught 3A; the principal came this autumn
        change_settings(teacher, class_3a, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
        post = write_post(
            teacher, class_3a, title="Sista veckan", body="Tack för ett fint år!", client_id=uuid.uuid4()
        )
        pending = write_post(
            cast.student, class_3a, title="Sommarlov", body="Snart sommarlov!", client_id=uuid.uuid4()
        )
        written = comment(cast.student, post, body="Tack själv!")
    assert policy.class_blog_is_archived(class_3a)
    return Archive(year, post, pending, written)


def test_nobody_writes_posts_on_an_archived_blog(cast: Cast, archive: Archive) -> None:
    class_3a = archive.year.school_class
    seq = blog_of(class_3a).last_seq
    for user in (cast.other_teacher, cast.principal, cast.student, cast.guardian_1):
        with pytest.raises(PermissionDenied):
            write_post(user, class_3a, title="Hej", body="Hej igen!", client_id=uuid.uuid4())
        with pytest.raises(PermissionDenied):
            upload_file(user, class_3a, name="bild.png", data=png_bytes())
    assert Post.objects.filter(blog__school_class=class_3a).count() == 2
    assert not PostFile.objects.exists()
    assert blog_of(class_3a).last_seq == seq


def test_nobody_moderates_or_changes_the_settings_of_an_archived_blog(cast: Cast, archive: Archive) -> None:
    class_3a = archive.year.school_class
    for user in (cast.other_teacher, cast.principal):
        with pytest.raises(PermissionDenied):
            change_settings(user, class_3a, student_posts=False, comments=ClassBlog.Comments.OFF)
        with pytest.raises(PermissionDenied):
            approve_post(user, archive.pending)
        with pytest.raises(PermissionDenied):
            decline_post(user, archive.pending, reason="För sent.")
        with pytest.raises(PermissionDenied):
            pin_post(user, archive.post, pinned=True)
        with pytest.raises(PermissionDenied):
            hide_comment(user, archive.comment, reason="Städning.")
    blog = blog_of(class_3a)
    assert (blog.student_posts, blog.comments) == (True, ClassBlog.Comments.EVERYONE)
    archive.pending.refresh_from_db()
    assert archive.pending.status == Post.Status.PENDING
    archive.post.refresh_from_db()
    assert archive.post.pinned_at is None
    archive.comment.refresh_from_db()
    assert not archive.comment.is_hidden


def test_nobody_comments_on_an_archived_blog(cast: Cast, archive: Archive) -> None:
    for user in (cast.student, cast.guardian_1, cast.other_teacher, cast.principal):
        with pytest.raises(PermissionDenied):
            write_comment(user, archive.post, body="Hej!", client_id=uuid.uuid4())
    assert list(Comment.objects.all()) == [archive.comment]


def test_those_of_the_years_end_still_read_the_archive_and_the_author_their_waiting_post(
    cast: Cast, archive: Archive
) -> None:
    readers = set(policy.readers_of_class_blog(archive.year.school_class))
    assert readers == {cast.student, cast.guardian_1, cast.guardian_2, cast.other_teacher, cast.principal}
    for user in readers:
        assert where_seen(user, archive.post) == PUBLIC, user
    assert "waiting" in where_seen(cast.student, archive.pending)
    for user in (cast.guardian_1, cast.guardian_2):
        assert where_seen(user, archive.pending) == frozenset(), user


def test_the_blog_list_shows_this_years_blog_first_and_marks_the_archive(
    cast: Cast, archive: Archive
) -> None:
    entries = queries.blogs_of(cast.guardian_1)
    assert [(e.school_class, e.archived) for e in entries] == [
        (cast.class_4a, False),
        (archive.year.school_class, True),
    ]
    assert entries[1].children == [cast.student.display_name]
    assert [e.school_class for e in queries.blogs_of(archive.year.left_early)] == []
