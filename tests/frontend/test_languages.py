"""Swedish by default, English complete, and the choice is kept on the account."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from tests.support.cast import PASSWORD, Cast
from tests.support.clients import verified_client


def test_pages_are_swedish_by_default() -> None:
    page = Client().get("/login/").content.decode()
    assert '<html lang="sv" ' in page
    assert "Logga in" in page


def test_an_english_browser_gets_english_until_the_person_chooses(db: None) -> None:
    page = Client(headers={"accept-language": "en"}).get("/login/").content.decode()
    assert '<html lang="en" ' in page
    assert "Log in" in page


def test_choosing_a_language_is_stored_on_the_account_and_used_at_next_login(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    response = client.post("/language/", {"language": "en", "next": "/account/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert User.objects.get(pk=cast.guardian_1.pk).language == "en"
    assert "My account" in client.get("/account/").content.decode()

    fresh = Client()  # another device, no language cookie
    fresh.post("/login/", {"username": "karin.andersson", "password": PASSWORD})
    assert "My child" in fresh.get("/").content.decode()


def test_unknown_language_and_foreign_redirects_are_ignored(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert User.objects.get(pk=cast.guardian_1.pk).language == "sv"
