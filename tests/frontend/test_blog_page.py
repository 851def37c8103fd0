"""The class blog over HTTP: what its page costs in queries, and the writing form's handling
of files and refusals (nothing written or added is lost)."""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from classblog import actions
from classblog.models import ClassBlog, Comment, Post, PostFile
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import png_bytes


def blog_url(cast: Cast) -> str:
    return reverse("class-blog", args=[cast.class_4a.pk])


def a_post(cast: Cast, number: int) -> Post:
    image = actions.upload_file(cast.teacher, cast.class_4a, name=f"bild{number}.png", data=png_bytes())
    post = actions.write_post(
        cast.teacher,
        cast.class_4a,
        title=f"Inlägg {number}",
        body=f"Text nummer **{number}**.",
        client_id=uuid.uuid4(),
        files=[actions.FileChoice(image.pk, alt_text=f"Bild {number}")],
        pinned=number % 10 == 0,
    )
    actions.write_comment(cast.student, post, body="Kul!", client_id=uuid.uuid4())
    hidden = actions.write_comment(
        cast.student, post, body="Fel tråd, skulle till 4B.", client_id=uuid.uuid4()
    )
    actions.hide_comment(cast.teacher, hidden, reason="Hörde inte hit.")
    return post


def _count(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # session, user, device; the class, the reader's relation, the blog's settings; the
        # posts with their files and comments (3); the queue with its files and comments (3)
        ("teacher", 3 + 3 + 3 + 3),
        # the same, but the guardian's own waiting posts (none, so no files or comments to
        # fetch), and the guardian's children in the class (to label the blog)
        ("guardian_1", 3 + 3 + 3 + 1 + 1),
    ],
)
def test_the_blog_page_takes_the_same_queries_with_50_posts_and_their_comments(
    cast: Cast, role: str, expected: int
) -> None:
    actions.change_settings(cast.teacher, cast.class_4a, student_posts=True, comments="everyone")
    for number in range(5):
        a_post(cast, number)
    actions.write_post(
        cast.student, cast.class_4a, title="Väntar", body="Godkänn mig.", client_id=uuid.uuid4()
    )
    client = verified_client(getattr(cast, role))
    client.get(blog_url(cast))
    few, _response = _count(client, blog_url(cast))
    for number in range(5, 50):
        a_post(cast, number)
    many, response = _count(client, blog_url(cast))
    assert (few, many) == (expected, expected)
    page = response.context["page"]
    assert len(page.posts) == 25
    assert page.has_more
    assert [p.title for p in page.posts[:5]] == [
        "Inlägg 40",
        "Inlägg 30",
        "Inlägg 20",
        "Inlägg 10",
        "Inlägg 0",
    ]
    assert page.posts[5].title == "Inlägg 49"  # then newest first
    html = response.content.decode()
    assert html.count("Fel tråd, skulle till 4B.") == (
        25 if role == "teacher" else 0
    )  # hidden, kept for teachers
    assert ("Godkänn mig." in html) == (role == "teacher")
    second, response = _count(client, blog_url(cast) + "?page=2")
    assert second == expected - (3 if role == "teacher" else 1)  # later pages have no queue
    assert len(response.context["page"].posts) == 25
    assert not response.context["page"].has_more


def test_a_refused_post_keeps_the_text_and_the_images_already_added(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    image = SimpleUploadedFile("klassen.png", png_bytes(), content_type="image/png")
    form_id = str(uuid.uuid4())
    response = client.post(
        reverse("blog-post-new", args=[cast.class_4a.pk]),
        {
            "client_id": form_id,
            "title": "Utflykt",
            "body": "x" * 10_001,
            "image_1": image,
            "alt_new_1": "Klassen",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "10001" in html.replace("\u00a0", "").replace(" ", "")  # the length, said in the error
    assert 'value="Utflykt"' in html
    kept = PostFile.objects.get(uploaded_by=cast.teacher, post__isnull=True)
    assert f'name="kept" value="{kept.pk}"' in html
    assert 'value="Klassen"' in html
    assert not Post.objects.exists()

    # Sending again with a shorter text publishes the post with the image kept from before,
    # once, even when the form is sent twice.
    data = {"client_id": form_id, "title": "Utflykt", "body": "Vi var vid älven.", "kept": str(kept.pk)}
    data[f"alt_{kept.pk}"] = "Klassen vid älven"
    for _attempt in range(2):
        response = client.post(reverse("blog-post-new", args=[cast.class_4a.pk]), data)
        assert response.status_code == 302
    post = Post.objects.get()
    assert list(post.files.values_list("pk", "alt_text")) == [(kept.pk, "Klassen vid älven")]


def test_a_file_that_is_not_an_image_or_pdf_is_refused_by_name_and_the_form_kept(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    fake = SimpleUploadedFile("inte-en-bild.png", b"just some text, not a picture", content_type="image/png")
    good = SimpleUploadedFile("bild.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("blog-post-new", args=[cast.class_4a.pk]),
        {
            "client_id": str(uuid.uuid4()),
            "title": "Bilder",
            "body": "Två bilder.",
            "image_1": fake,
            "alt_new_1": "Något",
            "image_2": good,
            "alt_new_2": "En bra bild",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "inte-en-bild.png" in html
    assert 'value="Bilder"' in html
    assert PostFile.objects.filter(post__isnull=True).count() == 1  # the good one, kept
    assert not Post.objects.exists()


def test_an_oversized_image_is_refused_in_the_form_with_its_limit(cast: Cast) -> None:
    # Random pixels do not compress: about 8.6 MB as PNG, over the blog's 8 MB for images
    # (and under the 10 MB any file may have).
    noise = Image.frombytes("RGB", (1900, 1500), os.urandom(1900 * 1500 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    assert 8 * 1024 * 1024 < len(buffer.getvalue()) < 10 * 1024 * 1024
    response = verified_client(cast.teacher).post(
        reverse("blog-post-new", args=[cast.class_4a.pk]),
        {
            "client_id": str(uuid.uuid4()),
            "title": "Stor bild",
            "body": "Se bilden.",
            "image_1": SimpleUploadedFile("stor.png", buffer.getvalue(), content_type="image/png"),
            "alt_new_1": "Brus",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "stor.png" in html
    assert "8 MB" in html
    assert 'value="Stor bild"' in html
    assert not PostFile.objects.exists()
    assert not Post.objects.exists()


def test_each_posts_comment_form_makes_its_own_comment_from_one_page(cast: Cast) -> None:
    """The page gives every comment form the same form id; each post derives its own, so a
    comment on a second post is not taken for a retry of the first."""
    actions.change_settings(
        cast.teacher, cast.class_4a, student_posts=False, comments=ClassBlog.Comments.CLASS
    )
    first, second = a_post(cast, 1), a_post(cast, 2)
    client = verified_client(cast.student)
    form_id = str(uuid.uuid4())
    for post in (first, second, second):
        client.post(
            reverse("blog-comment-new", args=[cast.class_4a.pk, post.pk]),
            {"client_id": form_id, "body": "Hej!"},
        )
    assert Comment.objects.filter(author=cast.student, body="Hej!").count() == 2


def test_an_image_missing_from_storage_is_not_found_rather_than_a_crash(cast: Cast) -> None:
    post = a_post(cast, 1)
    image = post.files.get()
    image.file.delete(save=False)  # as after a restore that lost the file
    response = verified_client(cast.guardian_1).get(reverse("blog-file", args=[cast.class_4a.pk, image.pk]))
    assert response.status_code == 404
    assert verified_client(cast.guardian_1).get(blog_url(cast)).status_code == 200


@pytest.mark.parametrize("role", ["teacher", "guardian_1"])
def test_an_open_blog_fetches_a_changed_post_in_a_fixed_number_of_queries(cast: Cast, role: str) -> None:
    """What every open blog asks when told that a post changed: the post alone."""
    actions.change_settings(cast.teacher, cast.class_4a, student_posts=False, comments="everyone")
    post = a_post(cast, 1)
    url = reverse("blog-post", args=[cast.class_4a.pk, post.pk]) + "?fragment=1"
    client = verified_client(getattr(cast, role))
    client.get(url)
    count, response = _count(client, url)
    # session, user, device; the class, the reader's relation, the blog's settings; the post,
    # its files, its comments
    assert count == 3 + 3 + 3
    assert response.content.decode().lstrip().startswith("<article")
    for number in range(2, 8):
        actions.write_comment(cast.student, post, body=f"Kommentar {number}", client_id=uuid.uuid4())
    assert _count(client, url)[0] == 3 + 3 + 3
