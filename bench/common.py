"""What the benchmarks that seed a database of their own share: where that database is, making
it, starting Django on it, and the noise photos they attach. Each benchmark runs as a script
(``python bench/export.py``) and finds this module beside it."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def bench_database(suffix: str) -> str:
    """The benchmark's own database: ``BENCH_DATABASE_URL``, or the test database's name
    (``DATABASE_URL``) with ``_<suffix>`` appended; "" when neither is set."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{suffix}"))


def ensure_database(url: str, fresh: bool) -> None:
    """Create the database if it is missing (with ``fresh``: drop it and create it again)."""
    import psycopg
    from psycopg import sql

    from tests.support.processes import recreate_database

    if fresh:
        recreate_database(url)
        return
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str) -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url})
    import django

    django.setup()


def photo(size: int, seed: int) -> bytes:
    """A PNG of ``size`` x ``size`` noise pixels (which compresses as badly as a real photo)."""
    from PIL import Image

    noise = random.Random(seed).randbytes(size * size * 3)  # noqa: S311  (pixels, not secrets)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), noise).save(buffer, format="PNG")
    return buffer.getvalue()
