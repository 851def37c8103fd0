"""What the benchmarks that seed a database of their own share: where that database is, making
it (migrated, as a copy of a template database), starting Django on it, and the noise photos
they attach. Each benchmark runs as a script (``python bench/export.py``) and finds this
module beside it."""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

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


def ensure_database(url: str, fresh: bool) -> bool:
    """Make the database from the migrated template if it is missing (with ``fresh``: drop it
    and make it again): True if so. False if it existed: the caller migrates it."""
    import psycopg

    parts = urlsplit(url)
    if not fresh:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
            name = parts.path.strip("/")
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
    migrated_database(url)
    return True


# Template databases of the benchmarks: named after a digest of the migrations, so a change to
# any migration (or to Django) makes a new one and the old ones are dropped.
TEMPLATE_PREFIX = "elevdialog_bench_template_"
TEMPLATE_LOCK = 0x62656E6368  # pg_advisory_lock key: one builder or copier at a time


def migrations_digest() -> str:
    """A digest of every migration file (name and content) and of Django's version."""
    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_database(url: str, env: Mapping[str, str] | None = None) -> None:
    """Drop the database ``url`` names and create it again, migrated: a copy of a template
    database (``CREATE DATABASE ... TEMPLATE``) that ``manage.py migrate`` builds once per set
    of migrations, so a benchmark's set-up does not pay for migrating (seconds each). ``env``:
    the environment ``migrate`` runs in when the template is built (default: this process's)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    template = TEMPLATE_PREFIX + migrations_digest()
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone() is None:
            build_template(connection, parts, template, env)
        name = sql.Identifier(parts.path.strip("/"))
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(name, sql.Identifier(template)))


def build_template(
    connection: psycopg.Connection[Any], parts: SplitResult, template: str, env: Mapping[str, str] | None
) -> None:
    """Migrate a new template under a temporary name and rename it when done (an interrupted
    build leaves no template behind); drop the templates of earlier migrations."""
    from psycopg import sql

    partial = f"{template}_partial"
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(partial)))
    connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(partial)))
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**(env or os.environ), "DATABASE_URL": urlunsplit(parts._replace(path=f"/{partial}"))},
        check=True,
    )
    print(f"migrated the template database {template} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    stale = connection.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
        [TEMPLATE_PREFIX, partial],
    ).fetchall()
    for (old,) in stale:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(old)))
    connection.execute(
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(partial), sql.Identifier(template))
    )


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
