"""Comments on class blog posts: the class chooses who may comment (refused at the
server, not only hidden in the page), and a hidden comment stays on record."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.errors import Refused, SensitiveText
from classblog import queries
from classblog.actions import approve_post, blog_of, decline_post, hide_comment, write_comment
from classblog.doors import rights_in
from classblog.flags import FlagSource
from classblog.models import MAX_COMMENT_LENGTH, ClassBlog, Comment
from tests.support.blog import (
    approved_post,
    classmate,
    comment,
    pending_post,
    published_post,
    set_blog,
)
from tests.support.cast import ROLES, Cast
from writing.models import FlaggedText

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

MEMBERS_OF_4A = {"student", "guardian_1", "guardian_2", "teacher", "principal"}


@pytest.mark.parametrize(
    ("setting", "allowed"),
    [
        (ClassBlog.Comments.OFF, set()),
        (ClassBlog.Comments.CLASS, {"student", "teacher", "principal"}),
        (ClassBlog.Comments.EVERYONE, MEMBERS_OF_4A),
    ],
)
def test_who_may_comment_follows_the_classes_choice_and_everyone_else_is_refused(
    setting: str, allowed: set[str], cast: Cast
) -> None:
    set_blog(cast, comments=setting)
    post = published_post(cast)
    wrote = set()
    for role in ROLES[1:]:  # everyone but the anonymous visitor
        user = cast.person(role)
        assert user is not None
        try:
            comment(user, post, body=f"Hej från {role}!")
        except PermissionDenied:
            continue
        wrote.add(role)
    assert wrote == allowed
    assert Comment.objects.count() == len(allowed)


def test_a_guardian_is_refused_while_comments_are_for_the_class_and_then_allowed_for_everyone(
    cast: Cast,
) -> None:
    post = published_post(cast)
    assert blog_of(cast.class_4a).comments == ClassBlog.Comments.CLASS  # the default
    with pytest.raises(PermissionDenied):
        comment(cast.guardian_1, post)
    set_blog(cast, comments=ClassBlog.Comments.EVERYONE)
    written = comment(cast.guardian_1, post, body="Tack för bilderna!")
    assert written.author == cast.guardian_1
    set_blog(cast, comments=ClassBlog.Comments.OFF)
    for user in (cast.guardian_1, cast.student, cast.teacher, cast.principal):
        with pytest.raises(PermissionDenied):
            comment(user, post, body="Kommentarerna är avstängda.")
    assert list(Comment.objects.all()) == [written]  # switching off removes nothing


@pytest.mark.parametrize("state", ["pending", "declined", "scheduled"])
def test_comments_wait_until_the_post_is_published(state: str, cast: Cast) -> None:
    if state == "scheduled":
        post = published_post(cast, publish_at=timezone.now() + datetime.timedelta(days=1))
    else:
        post = pending_post(cast)
        if state == "declined":
            decline_post(cast.teacher, post, reason="Inte nu.")
    for user in (cast.teacher, cast.student):
        with pytest.raises(Refused) as refused:
            comment(user, post)
        assert refused.value.code == "not_published"
    assert not Comment.objects.exists()


def test_a_post_approved_since_it_was_loaded_can_be_commented(cast: Cast) -> None:
    as_loaded = pending_post(cast)
    approve_post(cast.teacher, as_loaded)
    assert as_loaded.status == "pending"  # the caller's copy
    assert comment(cast.student, as_loaded).post_id == as_loaded.pk


def test_a_students_approved_post_can_be_commented_by_a_classmate(cast: Cast) -> None:
    mate, _guardian = classmate(cast)
    post = approved_post(cast)
    assert comment(mate, post).post == post


@pytest.mark.parametrize(
    ("body", "code", "in_message"),
    [
        ("", "empty", ""),
        ("  \n ", "empty", ""),
        ("x" * (MAX_COMMENT_LENGTH + 1), "too_long", str(MAX_COMMENT_LENGTH)),
    ],
    ids=["empty", "blank", "too long"],
)
def test_an_empty_or_too_long_comment_is_refused_and_not_saved(
    body: str, code: str, in_message: str, cast: Cast
) -> None:
    post = published_post(cast)
    seq = post.change_seq
    with pytest.raises(Refused) as refused:
        comment(cast.student, post, body=body)
    assert refused.value.code == code
    assert refused.value.message
    assert in_message in refused.value.message
    assert not Comment.objects.exists()
    assert blog_of(cast.class_4a).last_seq == seq


def test_the_same_comment_sent_twice_is_stored_once(cast: Cast) -> None:
    post = published_post(cast)
    client_id = uuid.uuid4()
    first = write_comment(cast.student, post, body="Kul!", client_id=client_id)
    again = write_comment(cast.student, post, body="Kul!", client_id=client_id)
    assert again.pk == first.pk
    assert Comment.objects.count() == 1


def test_a_comment_with_sensitive_text_is_held_back_until_sent_anyway_and_then_flagged(cast: Cast) -> None:
    set_blog(cast, comments=ClassBlog.Comments.EVERYONE)
    post = published_post(cast)
    text = "Hon har en diagnos, så hon kan inte följa med."
    with pytest.raises(SensitiveText):
        comment(cast.guardian_1, post, body=text)
    assert not Comment.objects.exists()
    assert not FlaggedText.objects.exists()

    written = comment(cast.guardian_1, post, body=text, send_anyway=True)

    flag = FlaggedText.objects.get()
    assert (flag.source, flag.source_id, flag.student, flag.school) == (
        FlagSource.BLOG_COMMENT,
        written.pk,
        None,
        cast.school,
    )
    assert flag.author == cast.guardian_1
    assert flag.text == text


# --- Hiding -------------------------------------------------------------------------------------


def test_a_hidden_comment_stays_on_record_with_who_hid_it_and_why(cast: Cast) -> None:
    post = published_post(cast)
    written = comment(cast.student, post, body="Haha, Bertil ramlade i sjön!")
    reason = "Vi skriver snällt om varandra."

    hide_comment(cast.teacher, written, reason=f"  {reason} ")

    stored = Comment.objects.get(pk=written.pk)
    assert stored.is_hidden
    assert stored.hidden_by == cast.teacher
    assert stored.hidden_reason == reason
    assert stored.hidden_at is not None
    assert stored.body == "Haha, Bertil ramlade i sjön!"  # the record keeps what was written
    blog = blog_of(cast.class_4a)
    [shown] = queries.blog_page(blog, cast.guardian_1, rights_in(cast.guardian_1, blog)).posts
    [listed] = shown.comments.all()
    assert listed.is_hidden  # the page knows to show "hidden by the teacher", not the text


@pytest.mark.parametrize(
    "role",
    [
        "student",
        "guardian_1",
        "other_teacher",
        "former_teacher",
        "other_principal",
        "school_admin",
        "operator",
        "other_student",
    ],
)
def test_only_the_classes_teachers_and_the_principal_hide_comments(role: str, cast: Cast) -> None:
    set_blog(cast, comments=ClassBlog.Comments.EVERYONE)
    post = published_post(cast)
    written = comment(cast.student, post)
    user = cast.person(role)
    assert user is not None
    with pytest.raises(PermissionDenied):
        hide_comment(user, written, reason="Jag vill inte se den.")
    written.refresh_from_db()
    assert not written.is_hidden
    assert written.hidden_by is None


def test_the_principal_hides_comments_too(cast: Cast) -> None:
    written = comment(cast.student, published_post(cast))
    assert hide_comment(cast.principal, written, reason="Hör inte hit.").hidden_by == cast.principal


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_a_comment_needs_a_reason(reason: str, cast: Cast) -> None:
    written = comment(cast.student, published_post(cast))
    with pytest.raises(Refused) as refused:
        hide_comment(cast.teacher, written, reason=reason)
    assert refused.value.code == "empty"
    assert refused.value.message
    written.refresh_from_db()
    assert not written.is_hidden


def test_a_comment_is_hidden_once_and_keeps_who_hid_it_first(cast: Cast) -> None:
    written = comment(cast.student, published_post(cast))
    hide_comment(cast.teacher, written, reason="Personligt.")
    with pytest.raises(Refused) as refused:
        hide_comment(cast.principal, written, reason="Också jag.")
    assert refused.value.code == "already_hidden"
    written.refresh_from_db()
    assert (written.hidden_by, written.hidden_reason) == (cast.teacher, "Personligt.")


def test_a_new_or_hidden_comment_brings_its_post_into_the_catch_up(cast: Cast) -> None:
    post = published_post(cast)
    blog = blog_of(cast.class_4a)
    rights = rights_in(cast.guardian_2, blog)
    seq = post.change_seq
    assert queries.changed_since(blog, cast.guardian_2, rights, seq) == []

    written = comment(cast.student, post)
    assert queries.changed_since(blog, cast.guardian_2, rights, seq) == [post.pk]
    seq = blog_of(cast.class_4a).last_seq

    hide_comment(cast.teacher, written, reason="Personligt.")
    assert queries.changed_since(blog, cast.guardian_2, rights, seq) == [post.pk]
    post.refresh_from_db()
    assert post.change_seq == seq + 1
