"""Installing the site as an app: the web app manifest, its icons, and the service worker
served from the site root, for everyone (also staff between password and code)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tests.accounts.flows import give_authenticator, log_in, member
from tests.support.cast import STAFF_ROLES, Cast

MANIFEST = "/manifest.webmanifest"
SERVICE_WORKER = "/sw.js"
DESCRIPTION = "Elevdialog: the student's development plan, shared by school and home."


def _body(response: Any) -> bytes:
    """The bytes of a static file (WhiteNoise streams them)."""
    return b"".join(response.streaming_content)


def manifest_of(client: Client, **headers: str) -> dict:
    response = client.get(MANIFEST, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content.decode("utf-8"))


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_urls_are_at_the_site_root() -> None:
    assert reverse("web-manifest") == MANIFEST
    assert reverse("service-worker") == SERVICE_WORKER


@pytest.mark.django_db
def test_manifest_describes_a_standalone_app_for_the_whole_site() -> None:
    manifest = manifest_of(Client())

    assert manifest["name"] == "Elevdialog"
    assert manifest["short_name"] == "Elevdialog"
    assert manifest["description"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1d4f7a"  # --brand in app.css
    assert manifest["background_color"] == "#f3f5f8"  # --canvas in app.css


@pytest.mark.django_db
def test_manifest_names_any_and_maskable_png_icons_that_are_served_at_their_sizes() -> None:
    client = Client()
    icons = manifest_of(client)["icons"]

    assert {(icon["sizes"], icon["purpose"]) for icon in icons} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in icons:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith(settings.STATIC_URL)
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(_body(response)))
        assert image.format == "PNG"
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert image.size == (width, height)


@pytest.mark.django_db
def test_maskable_icon_has_no_transparent_pixels_and_keeps_the_design_inside_the_safe_zone() -> None:
    response = Client().get("/static/frontend/icons/maskable-512.png")
    image = Image.open(io.BytesIO(_body(response))).convert("RGBA")
    assert image.getchannel("A").getextrema() == (255, 255)
    # Outside the safe zone (a centred circle of radius 40%) there is only the background.
    background = image.getpixel((0, 0))
    size = image.width
    for x, y in [(size // 2, size // 20), (size // 20, size // 2), (size // 2, size - size // 20)]:
        assert image.getpixel((x, y)) == background


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "size", "mode"),
    [("apple-touch-icon-180.png", 180, "RGB"), ("badge-96.png", 96, "RGBA")],
)
def test_apple_touch_icon_and_badge_are_served(name: str, size: int, mode: str) -> None:
    response = Client().get(f"/static/frontend/icons/{name}")
    assert response.status_code == 200
    image = Image.open(io.BytesIO(_body(response)))
    assert (image.format, image.size, image.mode) == ("PNG", (size, size), mode)


@pytest.mark.django_db
def test_badge_is_white_on_transparent() -> None:
    response = Client().get("/static/frontend/icons/badge-96.png")
    image = Image.open(io.BytesIO(_body(response))).convert("RGBA")
    colours = {pixel[:3] for pixel in image.get_flattened_data() if isinstance(pixel, tuple) and pixel[3] > 0}
    assert colours == {(255, 255, 255)}
    corner = image.getpixel((0, 0))
    assert isinstance(corner, tuple)
    assert corner[3] == 0


@pytest.mark.django_db
def test_manifest_is_swedish_by_default_and_follows_the_browsers_language() -> None:
    swedish = manifest_of(Client())
    english = manifest_of(Client(), **{"accept-language": "en"})

    assert swedish["lang"] == "sv"
    assert english["lang"] == "en"
    assert swedish["description"] == in_language("sv", DESCRIPTION)
    assert english["description"] == DESCRIPTION
    assert swedish["description"] != english["description"]


@pytest.mark.django_db
def test_manifest_follows_the_chosen_language_cookie() -> None:
    client = Client(headers={"accept-language": "sv"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    manifest = manifest_of(client)

    assert manifest["lang"] == "en"
    assert manifest["description"] == DESCRIPTION


@pytest.mark.django_db
def test_manifest_response_varies_with_language() -> None:
    response = Client().get(MANIFEST)
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


@pytest.mark.django_db
def test_service_worker_is_served_from_the_root_for_the_whole_site_and_never_cached() -> None:
    response = Client().get(SERVICE_WORKER)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert 'addEventListener("push"' in source
    assert 'addEventListener("notificationclick"' in source


@pytest.mark.django_db
def test_service_worker_keeps_nothing_on_the_device() -> None:
    source = Client().get(SERVICE_WORKER).content.decode()
    assert 'addEventListener("fetch"' not in source
    assert "caches." not in source
    assert "indexedDB" not in source


@pytest.mark.django_db
def test_service_worker_and_manifest_refuse_writes() -> None:
    client = Client()
    assert client.post(SERVICE_WORKER).status_code == 405
    assert client.post(MANIFEST).status_code == 405


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_between_password_and_code_get_manifest_and_service_worker(cast: Cast, role: str) -> None:
    person = member(cast, role)
    give_authenticator(person)
    client = Client()
    log_in(client, person.username)
    assert client.get("/")["Location"].startswith(reverse("otp-verify"))  # half-way

    assert client.get(SERVICE_WORKER).status_code == 200
    assert manifest_of(client)["start_url"] == "/"


def test_staff_without_an_authenticator_yet_get_manifest_and_service_worker(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.principal)
    assert client.get("/")["Location"].startswith(reverse("otp-setup"))  # must enrol first

    assert client.get(SERVICE_WORKER).status_code == 200
    assert manifest_of(client)["name"] == "Elevdialog"


def test_pages_link_the_manifest_theme_colour_and_apple_touch_icon(db: None) -> None:
    page = Client().get("/login/").content.decode()
    assert f'<link rel="manifest" href="{MANIFEST}" crossorigin="use-credentials">' in page
    assert '<meta name="theme-color" content="#1d4f7a">' in page
    assert '<link rel="apple-touch-icon" href="/static/frontend/icons/apple-touch-icon-180.png">' in page
