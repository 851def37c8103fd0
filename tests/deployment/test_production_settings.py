"""Production configuration comes from the environment and is secure without tuning; the
development configuration (the demo) shows people the app's own pages too."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from config.env import ConfigurationError, Env

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "ELEVDIALOG_ENV": "production",
    "SECRET_KEY": "p" * 20 + "ZtQ8v3Xr5mN1kL9wB7cH2jF6dS4aG0eY-_",
    "ALLOWED_HOSTS": "elevdialog.umea.se",
    "SITE_URL": "https://elevdialog.umea.se",
    "DATABASE_URL": "postgres://elevdialog@db.internal:5432/elevdialog",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_variables() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_production_settings_are_https_only_with_hsts() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_HTTPONLY, s.PASSWORD_HASHERS[0])"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, ssl_redirect, hsts, httponly, hasher = result.stdout.split()
    assert (debug, session_secure, csrf_secure, ssl_redirect, httponly) == (
        "False",
        "True",
        "True",
        "True",
        "True",
    )
    assert int(hsts) >= 365 * 24 * 3600
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(("prepared", "threshold"), [(None, "5"), ("false", "None")])
def test_the_server_freezes_what_it_built_and_prepares_unless_told_not_to(
    prepared: str | None, threshold: str
) -> None:
    """The ASGI application's import ends with ``gc.freeze()`` and a youngest generation of
    20,000 (full collections paused every socket for 110-170 ms under load), and the hot
    statements are prepared unless
    ``DB_PREPARED_STATEMENTS=false`` (a pooler that cannot carry them)."""
    code = (
        "import gc; import config.asgi; from django.conf import settings as s; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0], "
        "s.DATABASES['default']['OPTIONS']['prepare_threshold'])"
    )
    env = PRODUCTION_ENV | ({"DB_PREPARED_STATEMENTS": prepared} if prepared else {})
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    frozen, youngest, prepare_threshold = result.stdout.split()
    assert int(frozen) > 10_000
    assert int(youngest) == 20_000
    assert prepare_threshold == threshold


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"])
def test_production_refuses_to_start_without_required_variables(missing: str) -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"ROSTER_NIGHTLY_AT": "2.30"}, "ROSTER_NIGHTLY_AT must be a time of day"),
        ({"ROSTER_NIGHTLY_AT": "24:00"}, "ROSTER_NIGHTLY_AT must be a time of day"),
        ({"ROSTER_API_URL": "https://register.example/ss12000"}, "ROSTER_API_URL needs"),
    ],
)
def test_a_register_set_up_wrongly_stops_the_start_not_the_night(
    variables: dict[str, str], complaint: str
) -> None:
    """A nightly job that fails every night is found weeks later; a start that fails is not."""
    result = manage("check", env={**PRODUCTION_ENV, **variables})
    assert result.returncode != 0
    assert complaint in result.stderr


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"SAML_IDENTITY_PROVIDERS": "[{"}, "SAML_IDENTITY_PROVIDERS is not valid JSON"),
        ({"SAML_IDENTITY_PROVIDERS": '{"purpose": "eid"}'}, "must be a JSON list"),
        (
            {"SAML_IDENTITY_PROVIDERS": '[{"purpose": "bankid", "metadata": "https://idp.example/md"}]'},
            "provider 1: purpose must be one of eid, school",
        ),
        (
            {"SAML_IDENTITY_PROVIDERS": '[{"purpose": "eid", "metadata": "http://idp.example/md"}]'},
            "provider 1: the metadata URL must use https",
        ),
        (
            {"SAML_IDENTITY_PROVIDERS": '[{"purpose": "eid", "metadata": "/nowhere/broker.xml"}]'},
            "the metadata file /nowhere/broker.xml does not exist",
        ),
        (
            {"SAML_IDENTITY_PROVIDERS": '[{"purpose": "eid", "metadata": "https://idp.example/md"}]'},
            "SAML_IDENTITY_PROVIDERS needs SAML_KEY_FILE and SAML_CERT_FILE",
        ),
    ],
)
def test_a_login_provider_set_up_wrongly_stops_the_start(variables: dict[str, str], complaint: str) -> None:
    """An e-ID button that fails at the first guardian's login is found by her; a start that
    fails, by whoever deploys."""
    result = manage("check", env={**PRODUCTION_ENV, **variables})
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert complaint in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_environment_values_are_typed_and_malformed_ones_fail_loudly() -> None:
    env = Env({"FLAG": "yes", "COUNT": "12", "HOSTS": "a.se, b.se", "BAD_FLAG": "maybe", "BAD_COUNT": "x"})
    assert env.boolean("FLAG", False) is True
    assert env.integer("COUNT", 0) == 12
    assert env.strings("HOSTS") == ["a.se", "b.se"]
    assert env.boolean("UNSET", True) is True
    with pytest.raises(ConfigurationError, match="BAD_FLAG"):
        env.boolean("BAD_FLAG", False)
    with pytest.raises(ConfigurationError, match="BAD_COUNT"):
        env.integer("BAD_COUNT", 0)
    with pytest.raises(ConfigurationError, match="MISSING"):
        env.string("MISSING")
    with pytest.raises(ConfigurationError, match="MODE"):
        Env({"MODE": "staging"}).choice("MODE", ("development", "production"), "development")


EXTERNAL_URL = re.compile(r"""(?:src|href|url\()\s*=?\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_no_page_or_asset_loads_anything_from_another_server() -> None:
    """Every script, style, font and image is served by the app itself (no CDN)."""
    files = [
        path
        for folder in ("frontend", "accounts", "notifications", "dialogue", "classblog")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".css", ".js", ".svg"}
    ]
    assert files
    offenders = [str(path) for path in files if EXTERNAL_URL.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


# --- The development configuration (make run) ---------------------------------------------------

# Runs inside a development-mode process (SQLite in a temporary var directory): a missing
# page, a page the person may not see, a crash and a bad request, each as the person gets
# them; and what DEBUG used to switch for `make run` besides the debug pages.
DEVELOPMENT_PROBE = """
import json

import django

django.setup()

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.management import call_command
from django.test import Client
from django.urls import path

import config.urls


def crash(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("a forged header")


def refused(request):
    raise PermissionDenied


config.urls.urlpatterns[:0] = [
    path("probe/crash/", crash),
    path("probe/suspicious/", suspicious),
    path("probe/refused/", refused),
]


def seen(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    return {"status": response.status_code, "text": text, "cache": response.get("Cache-Control", "")}


found = {
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "autorefresh": settings.WHITENOISE_AUTOREFRESH,
    "missing": seen(Client().get("/no-such-page/")),
    "static": seen(Client().get("/static/frontend/app.css")),
}
if not settings.DEBUG:
    call_command("migrate", verbosity=0)
    from tests.support.cast import build_cast
    from tests.support.clients import verified_client

    cast = build_cast()
    other_guardian = verified_client(cast.other_guardian)
    found["forbidden"] = seen(other_guardian.get(f"/students/{cast.student.pk}/"))
    found["missing_logged_in"] = seen(other_guardian.get("/students/999999/"))
    failing = Client(raise_request_exception=False)
    found["crash"] = seen(failing.get("/probe/crash/"))
    found["suspicious"] = seen(failing.get("/probe/suspicious/"))
    found["refused"] = seen(failing.get("/probe/refused/"))
print("PROBE " + json.dumps(found))
"""


def probe_development(tmp_path: Path, **env: str) -> dict[str, Any]:
    """What a development-mode process (``make run``'s settings, nothing in the
    environment but ``env``) answers; see DEVELOPMENT_PROBE."""
    unset = {*PRODUCTION_ENV, "DEBUG", "NOTIFICATIONS_IN_PROCESS_WORKER", "WEB_PUSH_ALLOW_HTTP"}
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    result = subprocess.run(
        [sys.executable, "-c", DEVELOPMENT_PROBE],
        cwd=ROOT,
        env={
            **clean,
            "ELEVDIALOG_ENV": "development",
            "ELEVDIALOG_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    found: dict[str, Any] = json.loads(line.removeprefix("PROBE "))
    return found


def assert_the_apps_own_page(seen: dict[str, Any], status: int, swedish: str) -> None:
    assert seen["status"] == status, seen["text"][:500]
    assert '<html lang="sv"' in seen["text"]
    assert swedish in seen["text"]
    # Django's debug pages: the URL pattern list, the traceback, the DEBUG notice.
    for debug_page_words in ("URLconf", "Traceback", "DEBUG = True", "Request Method"):
        assert debug_page_words not in seen["text"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The development configuration without any opt-in, as `make run` starts it."""
    return probe_development(tmp_path_factory.mktemp("var"))


def test_the_demo_shows_the_apps_own_error_pages_in_swedish(demo: dict[str, Any]) -> None:
    found = demo
    assert found["debug"] is False
    assert_the_apps_own_page(found["missing"], 404, "Sidan kunde inte hittas")
    # A page one may not see looks exactly like a missing one.
    assert_the_apps_own_page(found["forbidden"], 404, "Sidan kunde inte hittas")
    assert_the_apps_own_page(found["missing_logged_in"], 404, "Sidan kunde inte hittas")
    assert_the_apps_own_page(found["crash"], 500, "Något gick fel")
    assert_the_apps_own_page(found["suspicious"], 400, "Något i begäran var fel")
    assert_the_apps_own_page(found["refused"], 403, "Du har inte behörighet till det här")


def test_the_demo_still_serves_fresh_static_files_on_the_usual_hosts(demo: dict[str, Any]) -> None:
    """What DEBUG switched for `make run` besides the debug pages stays as it was."""
    found = demo
    assert found["allowed_hosts"] == ["127.0.0.1", "localhost", "[::1]", "testserver"]
    assert found["autorefresh"] is True
    assert found["static"]["status"] == 200
    assert found["static"]["cache"] == "max-age=0, public"


def test_a_developer_who_asks_for_them_gets_djangos_debug_pages(tmp_path: Path) -> None:
    found = probe_development(tmp_path, DEBUG="true")
    assert found["debug"] is True
    assert found["missing"]["status"] == 404
    assert "URLconf" in found["missing"]["text"]
