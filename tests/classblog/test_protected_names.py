"""A protected student's (or guardian's) name on the class blog: the rest of the class reads
"A student" where the name would be (posts, comments, the approval's decline line), the
student's family and staff who need it read the name. Over HTTP, as every page and the
fragment an open blog fetches render it, and on the live socket (whose frames carry no name)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import translation

from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking, User
from classblog.actions import approve_post, decline_post
from classblog.models import ClassBlog
from tests.support.blog import classmate, comment, pending_post, published_post, set_blog
from tests.support.cast import Cast, build_cast
from tests.support.clients import queries_of_page, verified_client
from tests.support.sockets import open_socket, receive, send

NAME = "Anna Andersson"
LABEL = "En elev"


def _protect(person: User) -> None:
    identity.set_security_marking(SYSTEM, person, SecurityMarking.PROTECTED_REGISTRATION)


def _html(user: User, url: str) -> str:
    response = verified_client(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_the_class_reads_a_label_where_a_protected_students_name_would_be(cast: Cast) -> None:
    set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
    mate, mates_guardian = classmate(cast)
    post = published_post(cast)
    comment(cast.student, post, body="Vi tar med fika!")
    _protect(cast.student)
    blog = reverse("class-blog", args=[cast.class_4a.pk])
    single = reverse("blog-post", args=[cast.class_4a.pk, post.pk])
    with translation.override("sv"):
        for url in (blog, single, single + "?fragment=1"):
            for outsider in (mate, mates_guardian):
                html = _html(outsider, url)
                assert "Anna" not in html, (outsider, url)
                assert LABEL in html
            for insider in (cast.student, cast.guardian_1, cast.guardian_2, cast.teacher, cast.principal):
                html = _html(insider, url)
                assert NAME in html, (insider, url)
                assert LABEL not in html


@pytest.mark.django_db
def test_a_protected_students_own_post_is_signed_with_the_label_for_the_class(cast: Cast) -> None:
    _mate, mates_guardian = classmate(cast)
    _protect(cast.student)
    post = pending_post(cast)
    # Waiting for approval: the teachers see who wrote it.
    assert NAME in _html(cast.teacher, reverse("class-blog", args=[cast.class_4a.pk]))
    approve_post(cast.teacher, post)
    html = _html(mates_guardian, reverse("blog-post", args=[cast.class_4a.pk, post.pk]))
    assert NAME not in html
    assert LABEL in html


@pytest.mark.django_db
def test_a_protected_guardians_comment_is_unnamed_for_the_other_guardian(cast: Cast) -> None:
    """The other parent of the child is the person a marking most often protects against."""
    set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
    post = published_post(cast)
    comment(cast.guardian_1, post, body="Tack för informationen.")
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.CONFIDENTIAL)
    url = reverse("blog-post", args=[cast.class_4a.pk, post.pk])
    with translation.override("sv"):
        html = _html(cast.guardian_2, url)
        assert "Karin Andersson" not in html
        assert "En vårdnadshavare" in html
        assert "Karin Andersson" in _html(cast.student, url)
        assert "Karin Andersson" in _html(cast.teacher, url)


@pytest.mark.django_db
def test_a_declined_post_names_the_teacher_as_before(cast: Cast) -> None:
    _protect(cast.student)
    post = decline_post(cast.teacher, pending_post(cast), reason="Skriv om utan namn.")
    html = _html(cast.student, reverse("blog-post", args=[cast.class_4a.pk, post.pk]))
    assert "Lars Lund" in html
    assert NAME in html


@pytest.mark.django_db
@pytest.mark.parametrize("protected", [False, True])
def test_the_names_cost_no_query_unless_someone_on_the_page_is_protected(cast: Cast, protected: bool) -> None:
    set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
    mate, _mates_guardian = classmate(cast)
    for number in range(3):
        post = published_post(cast, title=f"Inlägg {number}")
        comment(cast.student, post)
        comment(mate, post)
    if protected:
        _protect(cast.student)
    fragment = reverse("blog-post", args=[cast.class_4a.pk, post.pk]) + "?fragment=1"
    blog = reverse("class-blog", args=[cast.class_4a.pk])
    # tests/frontend/test_blog_page.py counts: 3 + 3 + 3 for the fragment, 3 + 3 + 3 + 1 + 1
    # for a guardian's blog page. A protected student on the page adds the policy's two: the
    # marked people among the names, and the viewer's relations to them.
    extra = 2 if protected else 0
    assert queries_of_page(mate, fragment) == 3 + 3 + 3 + extra
    assert queries_of_page(_mates_guardian, blog) == 3 + 3 + 3 + 1 + 1 + extra


# --- The live socket ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_the_frame_sent_to_the_class_carries_no_name_and_the_fetch_shows_the_label() -> None:
    def build() -> tuple[Cast, User, Any]:
        cast = build_cast()
        set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
        _mate, mates_guardian = classmate(cast)
        _protect(cast.student)
        return cast, mates_guardian, published_post(cast)

    cast, mates_guardian, post = await database_sync_to_async(build)()
    communicator, connected, _ = await open_socket(mates_guardian)
    assert connected
    await send(communicator, {"type": "blog_subscribe", "blog": cast.class_4a.pk})
    while (await receive(communicator))["type"] != "blog_subscribed":
        pass
    await database_sync_to_async(comment)(cast.student, post, "Jag kommer!")
    frame = await receive(communicator)
    while frame["type"] != "blog":
        frame = await receive(communicator)
    assert frame == {"type": "blog", "blog": cast.class_4a.pk, "post": post.pk, "seq": frame["seq"]}
    await communicator.disconnect()

    def fetched(user: User) -> str:
        with translation.override("sv"):
            return _html(user, reverse("blog-post", args=[cast.class_4a.pk, frame["post"]]) + "?fragment=1")

    html = await database_sync_to_async(fetched)(mates_guardian)
    assert "Jag kommer!" in html
    assert NAME not in html
    assert LABEL in html
    assert NAME in await database_sync_to_async(fetched)(cast.teacher)
