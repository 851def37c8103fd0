"""No cache keeps anything about a child: every response carries Cache-Control: no-store,
except static files, the service worker and the web manifest, which name nobody. (The
access matrix checks every URL for every role; these are the cases around it.)"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.decorators.cache import never_cache

from frontend.caching import NoStoreMiddleware, holds_nothing_personal
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import dialogue_objects


def directives(response: Any) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_childs_page_and_attachment_are_never_stored(cast: Cast) -> None:
    objects = dialogue_objects(cast)
    guardian = verified_client(cast.guardian_1)
    page = guardian.get(reverse("student", args=[cast.student.pk]))
    download = guardian.get(reverse("attachment", args=[objects["page"].pk, objects["attachment"].pk]))
    assert (page.status_code, download.status_code) == (200, 200)
    assert page["Cache-Control"] == "no-store"
    # Was "private, max-age=3600": an hour in a shared computer's cache, past any access check.
    assert download["Cache-Control"] == "no-store"
    assert "max-age" not in download["Cache-Control"]


def test_pages_before_login_and_error_pages_are_not_stored_either(db: None) -> None:
    login = Client().get("/login/")
    assert "no-store" in directives(login)  # never_cache's fuller header is kept as it is
    assert "private" in directives(login)
    missing = Client().get("/no-such-page/")
    assert (missing.status_code, missing["Cache-Control"]) == (404, "no-store")
    to_login = Client().get("/notifications/")
    assert (to_login.status_code, to_login["Cache-Control"]) == (302, "no-store")


def test_static_files_the_service_worker_and_the_manifest_keep_their_caching(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    stylesheet = client.get("/static/frontend/app.css")
    assert stylesheet.status_code == 200
    assert "no-store" not in directives(stylesheet)
    assert "max-age=60" in directives(stylesheet)
    assert directives(client.get("/sw.js")) == {"no-cache"}
    assert directives(client.get("/manifest.webmanifest")) == {"no-cache"}


def _through_middleware(view: Any) -> HttpResponse:
    response = NoStoreMiddleware(view)(RequestFactory().get("/"))
    assert isinstance(response, HttpResponse)
    return response


def test_a_laxer_policy_a_view_chose_is_replaced() -> None:
    def lax(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("Anna's assessment")
        response["Cache-Control"] = "public, max-age=86400"
        return response

    assert _through_middleware(lax)["Cache-Control"] == "no-store"


def test_a_stricter_policy_and_a_view_holding_nothing_personal_are_kept() -> None:
    @never_cache
    def strict(request: HttpRequest) -> HttpResponse:
        return HttpResponse("login")

    @holds_nothing_personal
    def public(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("the same for everyone")
        response["Cache-Control"] = "max-age=300"
        return response

    assert directives(_through_middleware(strict)) == {
        "max-age=0",
        "no-cache",
        "no-store",
        "must-revalidate",
        "private",
    }
    assert _through_middleware(public)["Cache-Control"] == "max-age=300"
