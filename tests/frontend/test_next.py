"""``next`` is always a URL on this site, never a URL pattern's name: forms that send a
person back (the language switch, login, the code step) follow only same-site paths and
otherwise go to the start page, and never answer 500 for what a browser sent."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from accounts.models import User
from frontend.requests import safe_next
from tests.support.blog import published_post
from tests.support.cast import PASSWORD, Cast
from tests.support.clients import verified_client

# next -> where the person is sent. ``foo`` and ``logout`` are bare words that Django's
# redirect() took for URL pattern names (500 for an unknown one, /logout/ for a known one).
CASES = [
    ("foo", "/"),
    ("logout", "/"),
    ("start", "/"),
    ("//evil.example/", "/"),
    ("https://evil.example/", "/"),
    ("http://testserver.evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
    ("/students/1/", "/students/1/"),
    ("/students/1/?thread=2#message-3", "/students/1/?thread=2#message-3"),
    ("http://testserver/account/", "http://testserver/account/"),
]


@pytest.mark.parametrize(("target", "expected"), CASES)
def test_the_language_switch_follows_only_same_site_urls(db: None, target: str, expected: str) -> None:
    response = Client().post("/language/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert response.cookies["django_language"].value == "en"


@pytest.mark.parametrize(
    ("target", "expected"), [("foo", "/"), ("//evil.example/", "/"), ("/account/", "/account/")]
)
def test_a_logged_in_person_switching_language_is_sent_back_safely(
    cast: Cast, target: str, expected: str
) -> None:
    response = verified_client(cast.guardian_1).post("/language/", {"language": "en", "next": target})
    assert (response.status_code, response["Location"]) == (302, expected)
    assert User.objects.get(pk=cast.guardian_1.pk).language == "en"


def test_the_language_switch_without_next_goes_to_the_start_page(db: None) -> None:
    response = Client().post("/language/", {"language": "en"})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize(
    ("target", "expected"), [("foo", "/"), ("logout", "/"), ("https://evil.example/", "/")]
)
def test_login_with_a_bad_next_goes_to_the_start_page(cast: Cast, target: str, expected: str) -> None:
    response = Client().post(
        "/login/", {"username": cast.guardian_1.username, "password": PASSWORD, "next": target}
    )
    assert (response.status_code, response["Location"]) == (302, expected)


def test_a_logged_in_person_at_the_login_page_with_a_bare_word_next_goes_to_the_start_page(
    cast: Cast,
) -> None:
    response = verified_client(cast.guardian_1).get("/login/", {"next": "foo"})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize(("target", "expected"), CASES)
def test_safe_next_gives_a_url_for_every_input(target: str, expected: str) -> None:
    request = RequestFactory().post("/language/", {"next": target})
    assert safe_next(request) == expected


def test_safe_next_refuses_plain_http_targets_on_a_secure_request() -> None:
    request = RequestFactory().post("/language/", {"next": "http://testserver/account/"}, secure=True)
    assert safe_next(request) == "/"
    request = RequestFactory().post("/language/", {"next": "https://testserver/account/"}, secure=True)
    assert safe_next(request) == "https://testserver/account/"


@pytest.mark.parametrize("target", ["foo", "https://evil.example/", ""])
def test_a_view_with_its_own_fallback_gets_it_for_an_unsafe_next(target: str) -> None:
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/classes/1/blog/#post-2") == "/classes/1/blog/#post-2"


def test_pinning_a_blog_post_with_a_bare_word_next_goes_back_to_the_post(cast: Cast) -> None:
    post = published_post(cast)
    response = verified_client(cast.teacher).post(
        f"/classes/{cast.class_4a.pk}/blog/posts/{post.pk}/pin/", {"pinned": "1", "next": "foo"}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/classes/{cast.class_4a.pk}/blog/#post-{post.pk}",
    )
