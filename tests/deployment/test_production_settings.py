"""Production configuration comes from the environment and is secure without tuning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"])
def test_production_refuses_to_start_without_required_variables(missing: str) -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert missing in result.stderr


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
