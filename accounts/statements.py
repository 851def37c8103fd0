"""Hand-written statements that run on every send and every opening, prepared once per
database connection.

Django's cursors bind their parameters on the client (``ClientCursor``): every execution is
parsed and planned anew. For the relation query (``policy.students``), PostgreSQL took 0.3 ms
to plan and 0.05 ms to run it, on every send. ``prepared_cursor`` is a cursor that binds on
the server and prepares each statement it runs (psycopg names them per connection and keeps
the most recent hundred), wrapped as Django wraps its own cursors, so that database errors
are Django's. Where queries are logged (``DEBUG``, the tests' query counts) the statements run
through Django's own cursor instead, so that the log shows them whole.

``DB_PREPARED_STATEMENTS=false`` turns preparing off (a connection pooler in transaction mode
that cannot carry prepared statements); the statements then run unprepared. SQLite (the
embedded default) gets Django's own cursor.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection


def prepared_cursor() -> Any:
    """A cursor for ``with prepared_cursor() as cursor: cursor.execute(sql, params)``; its
    parameters may be ``%s`` or ``%(name)s``, as with Django's."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        # Where queries are logged (DEBUG, the tests' query counts), Django's own cursor:
        # psycopg does not keep the text of a prepared statement's execution to log.
        return connection.cursor()
    # As Django opens its own cursors (BaseDatabaseWrapper._cursor), with another class.
    database: Any = connection  # (the stubs leave out the health check and the wrapping)
    database.close_if_health_check_failed()
    database.ensure_connection()
    with database.wrap_database_errors:
        return database._prepare_cursor(_cursor_class()(database.connection))


@functools.cache
def _cursor_class() -> Any:
    """Django's server-binding cursor, preparing every statement (made on first use: its
    module imports psycopg, which the embedded default does not need)."""
    from django.db.backends.postgresql import base

    server_binding: Any = getattr(base, "ServerBindingCursor")  # noqa: B009  (only with psycopg 3)

    class PreparingCursor(server_binding):
        def execute(self, query: Any, params: Any = None, *, prepare: Any = None, **more: Any) -> Any:
            return super().execute(query, params, prepare=True, **more)

    return PreparingCursor
