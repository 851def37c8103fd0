"""The register of what is held: every kind of record the system stores about a student or a
person, declared once by the app that stores it.

The personal data export, the public-record release, the archive and the purge all read this
register and nothing else, so a kind that is declared here is exported, released and removed
everywhere, and a model that is not declared is caught by a test (``tests/records``), the way
the access matrix catches a URL without a row.

Each app declares its kinds in ``<app>/held.py``, imported by its ``AppConfig.ready``. This
module sits on the lowest floor so that every app can declare without importing the records
floor above it.

A kind answers four questions:

- ``of_student(student_id)``: its rows in the student's record (the page and everything on
  it, the student's documents, memberships, notifications about the page, the access log of
  the page). Exported to the student and the guardians; removed when the student is purged.
- ``of_person(user_id)``: its rows about one person as a person (the account, memberships,
  what they wrote, notifications they received, devices, their own openings). Exported to the
  person; removed when the account is removed. For a student both apply.
- ``readable(rows, requester)`` (optional): the rows an export gives its requester, where
  the policy lets them read less than the whole record (the lines of a private thread).
- ``export(row)``: the row as JSON-able data, in the documented ``fields``. It never carries
  another child's data (a classmate named as a notification's actor, say): what would, stays out.
- ``of_blog(blog_id)`` (optional, for the kinds of a class blog): its rows in one class blog
  (posts, their revisions, files and comments). The class-blog retention rule removes a
  blog's rows through it, whoever wrote them, when the blog's school year is old enough.
- ``remove(rows)``: how the rows are removed (by default one DELETE, without Django's
  collector: the purge removes every declared kind of the subject in one transaction, and
  PostgreSQL's deferred foreign keys check the whole at commit).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from accounts.policy import identities

Rows = Callable[[int], QuerySet[Any]]


def delete_rows(rows: QuerySet[Any]) -> int:
    """One DELETE for the rows, with no cascade: every dependent kind is declared too and is
    removed in the same transaction."""
    return rows._raw_delete(rows.db)


def delete_with_collector(rows: QuerySet[Any]) -> int:
    """Django's collector delete: nullable references from rows that stay (an audit field such
    as ``created_by``) are set to NULL, and a protected reference that was not removed first
    stops the removal. Returns how many rows of the queryset's own model went."""
    _total, by_model = rows.delete()
    return int(by_model.get(rows.model._meta.label, 0))


def clear_reference(*fields: str) -> Callable[[QuerySet[Any]], int]:
    """A ``remove`` for rows that belong to someone else (the school, a class) and name the
    person only as who last changed them: the reference is cleared and the row stays."""

    def remove(rows: QuerySet[Any]) -> int:
        return rows.update(**dict.fromkeys(fields))

    return remove


def where(model: type[Model], lookup: str) -> Rows:
    """The rows of ``model`` whose ``lookup`` (a field or a path through relations) is the
    given id: ``where(Message, "page__student_id")``. One filter, on an indexed column."""

    def rows(pk: int) -> QuerySet[Any]:
        return model._default_manager.filter(**{lookup: pk})

    return rows


def as_json(value: Any) -> Any:
    """A value as JSON-able data: dates and times as ISO 8601 strings, ids of UUIDs as text."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    return value


# Who the export being written is for, and the names already worked out for them.
_reader: ContextVar[tuple[Any, dict[int, str]] | None] = ContextVar("held_reader", default=None)


@contextmanager
def names_as_seen_by(reader: Any) -> Iterator[None]:
    """Within: ``name_of`` gives a protected person's name only if ``reader`` may see it
    (``accounts.policy.identities``), the neutral label otherwise. An export is written for
    the one who asked for it; a guardian's copy of the child's record must not name the
    protected other guardian any more than the page does."""
    token = _reader.set((reader, {}))
    try:
        yield
    finally:
        _reader.reset(token)


def name_of(person: Any) -> str:
    """A person's name as the export shows it ("" when the account is gone)."""
    if person is None:
        return ""
    seen = _reader.get()
    if seen is None or not person.is_protected:
        return str(person.display_name)
    reader, known = seen
    if person.pk not in known:
        known[person.pk] = identities.shown_name(person, identities.names_hidden_from(reader, [person]))
    return known[person.pk]


# Every kind's first documented field.
ID = {"id": "The record's number in Elevdialog (other records refer to it)."}


def named(field: str) -> Callable[[Any], str]:
    """An ``export`` column: the name of the person in ``field`` (a staff member or the
    student's family)."""
    return lambda row: name_of(getattr(row, field))


def columns(fields: Mapping[str, str], **computed: Callable[[Any], Any]) -> Callable[[Any], dict[str, Any]]:
    """An ``export`` that gives exactly the documented ``fields``: each from ``computed`` when
    named there, otherwise the row's attribute of that name."""
    unknown = set(computed) - set(fields)
    assert not unknown, unknown

    def export(row: Any) -> dict[str, Any]:
        return {
            name: as_json(computed[name](row) if name in computed else getattr(row, name)) for name in fields
        }

    return export


@dataclass(frozen=True)
class HeldKind:
    # Stable and unique: the export's file name ("dialogue.message" -> dialogue.message.json).
    name: str
    model: type[Model]
    # What people call these records, plural ("Messages in the dialogue").
    label: str | Promise
    # The documented schema: each exported field and what it means (English; the README's
    # export section and the export's schema.json are built from it).
    fields: Mapping[str, str]
    export: Callable[[Any], dict[str, Any]]
    of_student: Rows | None = None
    of_person: Rows | None = None
    # The stored files of a row (exported beside the JSON, removed with the row).
    files: Callable[[Any], Iterable[FieldFile]] | None = None
    # Files the system made from a row (an export's ZIP), by name in the private storage:
    # removed with the row, never exported.
    made_files: Callable[[Any], Iterable[str]] | None = None
    remove: Callable[[QuerySet[Any]], int] = delete_rows
    # The relations ``export`` reads (a name, a class): the export fetches them with the rows
    # (``rows.select_related(*kind.related)``) instead of one query per row.
    related: tuple[str, ...] = ()
    # Rows of one class blog (``classblog.ClassBlog`` id), for the class-blog retention rule.
    of_blog: Rows | None = None
    # The rows the export's requester may read, where that is fewer than the whole record (a
    # private thread of the page is read only by its audience): ``readable(rows, requester)``
    # narrows the export's rows in the query. None: every row of the record.
    readable: Callable[[QuerySet[Any], Any], QuerySet[Any]] | None = None

    def rows_about_student(self, student_id: int) -> QuerySet[Any] | None:
        """Every row of this kind in the student's record and about the student as a person."""
        if self.of_student is None and self.of_person is None:
            return None
        if self.of_student is self.of_person:
            assert self.of_student is not None
            return self.of_student(student_id)
        if self.of_person is None:
            assert self.of_student is not None
            return self.of_student(student_id)
        if self.of_student is None:
            return self.of_person(student_id)
        return self.model._default_manager.filter(
            Q(pk__in=self.of_student(student_id).values("pk"))
            | Q(pk__in=self.of_person(student_id).values("pk"))
        )


_kinds: dict[str, HeldKind] = {}


def declare(*kinds: HeldKind) -> None:
    for kind in kinds:
        assert kind.name not in _kinds or _kinds[kind.name].model is kind.model, kind.name
        _kinds[kind.name] = kind


def kinds() -> list[HeldKind]:
    return list(_kinds.values())


def kind(name: str) -> HeldKind:
    return _kinds[name]


def declared_models() -> set[type[Model]]:
    return {held.model for held in _kinds.values()}
