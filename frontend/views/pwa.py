"""Installing the site as an app: the web app manifest and the service worker.

Both are served from the site root, and to everyone (also before login and between the
password and the one-time code, see ``accounts.middleware.OTP_EXEMPT_URL_NAMES``): they
hold nothing about anyone. The service worker must sit at the root because a worker's scope
can be no wider than its script's path; ``Service-Worker-Allowed`` says the same explicitly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from frontend.caching import holds_nothing_personal

SERVICE_WORKER = "frontend/sw.js"
# From the palette in frontend/static/frontend/app.css.
BRAND_COLOUR = "#1d4f7a"  # --brand: the header, and the app's title bar
CANVAS_COLOUR = "#f3f5f8"  # --canvas: the page background, shown while the app starts


@lru_cache(maxsize=1)
def _cached_service_worker() -> str:
    return _read_service_worker()


def _read_service_worker() -> str:
    found = finders.find(SERVICE_WORKER)
    if not isinstance(found, str):
        raise FileNotFoundError(SERVICE_WORKER)
    return Path(found).read_text(encoding="utf-8")


def service_worker_source() -> str:
    """The worker's script: read once per process, on every request while developing (as
    WhiteNoise reads the other static files then)."""
    return _read_service_worker() if settings.RELOAD_ASSETS else _cached_service_worker()


@holds_nothing_personal  # the same script for everyone: its own no-cache, not no-store
@require_safe
def service_worker_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(service_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at most daily anyway; never let a cache delay that.
    response["Cache-Control"] = "no-cache"
    return response


def manifest() -> dict[str, object]:
    """The manifest in the active language."""
    return {
        "id": "/",
        "name": "Elevdialog",
        "short_name": "Elevdialog",
        "description": gettext("Elevdialog: the student's development plan, shared by school and home."),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": CANVAS_COLOUR,
        "theme_color": BRAND_COLOUR,
        "icons": [
            _icon("frontend/icons/icon-192.png", 192, "any"),
            _icon("frontend/icons/icon-512.png", 512, "any"),
            _icon("frontend/icons/maskable-512.png", 512, "maskable"),
        ],
    }


def _icon(path: str, size: int, purpose: str) -> dict[str, str]:
    return {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}


@holds_nothing_personal  # names the app, not the person: its own no-cache, not no-store
@require_safe
def manifest_view(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        manifest(), content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    # The language comes from the browser's languages or the language cookie.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response["Cache-Control"] = "no-cache"
    return response
