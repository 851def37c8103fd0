"""Taking a post off the blog: nobody sees it or its files any more, it stays on record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.errors import Refused
from classblog import queries
from classblog.actions import FileChoice, blog_of, remove_post, upload_file
from classblog.doors import rights_in
from classblog.models import Post
from tests.support.blog import NOWHERE, classmate, pending_post, png_bytes, published_post, where_seen
from tests.support.cast import Cast
from tests.support.clients import verified_client

CONSENT_WITHDRAWN = "Vårdnadshavare har återkallat samtycket till bilden."


def test_a_removed_post_and_its_photo_are_seen_by_nobody_but_kept_on_record(cast: Cast) -> None:
    mate, mates_guardian = classmate(cast)
    image = upload_file(cast.teacher, cast.class_4a, name="klassen.png", data=png_bytes())
    post = published_post(cast, files=[FileChoice(image.pk, alt_text="Klassen på skolgården")])
    image_url = reverse("blog-file", args=[cast.class_4a.pk, image.pk])
    assert verified_client(cast.guardian_1).get(image_url).status_code == 200

    remove_post(cast.principal, post, reason=CONSENT_WITHDRAWN)

    stored = Post.objects.get(pk=post.pk)
    assert stored.status == Post.Status.REMOVED
    assert (stored.removed_by, stored.removed_reason) == (cast.principal, CONSENT_WITHDRAWN)
    assert stored.files.get().pk == image.pk  # kept with the record
    for user in (cast.student, mate, mates_guardian, cast.guardian_1, cast.guardian_2):
        # open blogs are told to take it away (its id, in the catch-up), nothing more
        assert where_seen(user, post) == {"changes"}, user
    for user in (cast.teacher, cast.principal):
        assert where_seen(user, post) == {"changes"}, user
    for user in (cast.guardian_1, cast.teacher, cast.principal):
        assert verified_client(user).get(image_url).status_code == 404


def test_a_student_may_take_back_their_own_waiting_post_but_not_a_classmates(cast: Cast) -> None:
    mate, _guardian = classmate(cast)
    post = pending_post(cast)
    with pytest.raises(PermissionDenied):
        remove_post(mate, post, reason="Inte min.")
    with pytest.raises(PermissionDenied):
        remove_post(cast.guardian_1, post, reason="Inte min.")
    remove_post(cast.student, post, reason="Jag skriver ett nytt.")
    assert where_seen(cast.student, post) == NOWHERE
    # A waiting post was never public: classmates' catch-up does not even name it.
    blog = blog_of(cast.class_4a)
    assert post.pk not in queries.changed_since(blog, mate, rights_in(mate, blog), 0)


def test_removing_needs_a_reason_and_happens_once(cast: Cast) -> None:
    post = published_post(cast)
    with pytest.raises(Refused) as refused:
        remove_post(cast.teacher, post, reason="  ")
    assert refused.value.code == "empty"
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    remove_post(cast.teacher, post, reason="Fel klass.")
    with pytest.raises(Refused) as refused:
        remove_post(cast.principal, post, reason="Igen.")
    assert refused.value.code == "already_removed"
    assert Post.objects.get(pk=post.pk).removed_by == cast.teacher
