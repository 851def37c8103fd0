"""The author corrects a post: the new wording shows, the earlier one is kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.errors import Refused, SensitiveText
from classblog.actions import approve_post, edit_post, remove_post
from classblog.flags import FlagSource
from classblog.models import Post, PostRevision
from tests.support.blog import pending_post, published_post
from tests.support.cast import Cast
from tests.support.clients import verified_client
from writing.models import FlaggedText


def test_the_author_corrects_a_post_and_the_earlier_wording_is_kept(cast: Cast) -> None:
    post = published_post(cast, title="Utflyckt", body="Vi åker på torsdag.")
    before = post.change_seq
    edit_post(cast.teacher, post, title="Utflykt", body="Vi åker på fredag.")
    stored = Post.objects.get(pk=post.pk)
    assert (stored.title, stored.body) == ("Utflykt", "Vi åker på fredag.")
    assert stored.edited_at is not None
    assert stored.change_seq > before  # open blogs fetch it again
    (revision,) = PostRevision.objects.filter(post=post)
    assert (revision.title, revision.body, revision.replaced_by) == (
        "Utflyckt",
        "Vi åker på torsdag.",
        cast.teacher,
    )
    # The same text again changes nothing.
    edit_post(cast.teacher, stored, title="Utflykt", body="Vi åker på fredag.")
    assert PostRevision.objects.filter(post=post).count() == 1


def test_only_the_author_changes_a_post_and_not_once_removed(cast: Cast) -> None:
    post = published_post(cast)
    for other in (cast.principal, cast.student, cast.guardian_1):
        with pytest.raises(PermissionDenied):
            edit_post(other, post, title="Annat", body="Annan text.")
    remove_post(cast.principal, post, reason="Fel klass.")
    with pytest.raises(Refused) as refused:
        edit_post(cast.teacher, post, title="Annat", body="Annan text.")
    assert refused.value.code == "not_editable"


def test_a_student_corrects_a_waiting_post_and_the_approved_one_stays_theirs_to_correct(cast: Cast) -> None:
    post = pending_post(cast)
    edit_post(cast.student, post, title="Vår fågelholk", body="Nu har en talgoxe flyttat in!")
    approve_post(cast.teacher, post)
    edit_post(cast.student, post, title="Vår fågelholk", body="Nu har två talgoxar flyttat in!")
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    assert PostRevision.objects.filter(post=post).count() == 2


def test_a_refused_change_saves_nothing_and_the_form_keeps_what_was_written(cast: Cast) -> None:
    post = published_post(cast, body="Hej!")
    with pytest.raises(SensitiveText):
        edit_post(cast.teacher, post, title=post.title, body="Hon har en diagnos sedan i våras.")
    assert Post.objects.get(pk=post.pk).body == "Hej!"
    url = reverse("blog-post-edit", args=[cast.class_4a.pk, post.pk])
    client = verified_client(cast.teacher)
    response = client.post(url, {"title": post.title, "body": "x" * 10_001})
    assert response.status_code == 400
    assert "x" * 10_001 in response.content.decode()
    assert Post.objects.get(pk=post.pk).body == "Hej!"
    response = client.post(
        url, {"title": post.title, "body": "Hon har en diagnos sedan i våras.", "send_anyway": "1"}
    )
    assert response.status_code == 302
    assert FlaggedText.objects.filter(source=FlagSource.BLOG_POST, source_id=post.pk).exists()
