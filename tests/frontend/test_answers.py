"""One way to answer errors over HTTP: every JSON error has the one shape, and every ``next``
stays on the site."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from classblog import actions as blog
from dialogue.actions.assessments import save_draft
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import dialogue_objects

JSON = {"Accept": "application/json"}


def _one_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    return dict(error)


def test_every_json_error_has_one_shape(cast: Cast) -> None:
    extra = dialogue_objects(cast)
    guardian = verified_client(cast.guardian_1)
    page = extra["page"].pk
    _one_shape(guardian.post(reverse("attachment-upload", args=[page]), headers=JSON), 400, "empty")
    _one_shape(
        guardian.get(
            reverse("thread-history", args=[page, extra["thread"].pk]), {"before": "x"}, headers=JSON
        ),
        400,
        "malformed",
    )
    _one_shape(
        guardian.post(
            reverse("push-subscribe"), {"endpoint": "not a url", "p256dh": "x", "auth": "y"}, headers=JSON
        ),
        400,
        "invalid",
    )
    teacher = verified_client(cast.teacher)
    save_draft(
        cast.teacher,
        cast.class_4a,
        cast.student,
        cast.maths,
        levels={},
        can_text="Anna har en diagnos.",
        develop_text="",
    )
    publish = reverse("assessment-publish", args=[cast.class_4a.pk, cast.maths.pk, cast.student.pk])
    guard = _one_shape(teacher.post(publish, headers=JSON), 409, "sensitive_text")
    assert [f["matched"] for f in guard["findings"]["can_text"]] == ["diagnos"]
    # An error a view lets through is answered by the middleware in the same shape.
    other = verified_client(cast.other_teacher)
    _one_shape(
        other.post(reverse("phrase-delete", args=[10**9]), headers=JSON),
        404,
        "unknown_phrase",
    )


@pytest.mark.parametrize("name", ["blog-post-pin", "blog-post-approve"])
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/path", "http://testserver.evil/"]
)
def test_a_next_that_leaves_the_site_is_not_followed(cast: Cast, name: str, target: str) -> None:
    blog.change_settings(cast.teacher, cast.class_4a, student_posts=True, comments="class")
    post = blog.write_post(
        cast.student, cast.class_4a, title="Min hund", body="Han heter Sixten.", client_id=uuid.uuid4()
    )
    if name == "blog-post-pin":
        blog.approve_post(cast.teacher, post)
    url = reverse(name, args=[cast.class_4a.pk, post.pk])
    response = verified_client(cast.teacher).post(url, {"next": target, "pinned": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("class-blog", args=[cast.class_4a.pk]))
    assert "evil" not in response["Location"]


def test_a_next_on_the_site_is_followed(cast: Cast) -> None:
    post = blog.write_post(
        cast.teacher, cast.class_4a, title="Utflykt", body="Vi var vid älven.", client_id=uuid.uuid4()
    )
    url = reverse("blog-post-pin", args=[cast.class_4a.pk, post.pk])
    response = verified_client(cast.teacher).post(url, {"next": "/blogs/", "pinned": "1"})
    assert response["Location"] == "/blogs/"
