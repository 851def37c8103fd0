"""The one door to a student's records.

Every view, socket handler, download and notification that opens something of a student's
page comes through a function here. Each fetches the page (and the thing asked for) together
with how the viewer stands to the student, computed once (``policy.StudentRelation``, one
query), and answers a thing that is missing and a thing the viewer may not see alike, with
``NotFound``, so that nobody can probe which ids exist.

An opening (something of the records shown to the viewer) is recorded exactly once, here
(``accounts.openings``, where the access log listens). Acting on a page that is already open
(a send on a followed page, a form's action) passes ``opening=False``.

An archive opened as the school (``StudentRelation.opens_archive_for_school``: the principal
or registrar reading the page of a student who left, not the student or her guardians) is a
sensitive opening: every opening of it here (the page, a thread, a message's versions, a
file, a document, a search, the live socket) needs a recent strong login, and without one
raises ``StrongLoginNeeded`` before anything is recorded (the step-up asks for one; an
outsider got the 404 first). The door gets a user, not a request: the strength comes with the
user object (``accounts.actions.strength.viewer_is_strong``, set for each request and each
socket). A user object without it (a worker's, a command's) counts as not strong; no such
caller opens a page (they act with ``opening=False``, or ask ``may_open_student_page``, which
are not openings and are not asked: writes on an archive are refused by the rules anyway).

Reading never writes: pages and their threads are made when students are enrolled and
subjects assigned (``dialogue.receivers``), not when someone looks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.utils.translation import gettext as _

from accounts import policy
from accounts.actions.strength import viewer_is_strong
from accounts.archive import ArchiveNote, archive_note
from accounts.errors import NotFound, StrongLoginNeeded
from accounts.models import User
from accounts.openings import record_opening, record_openings
from accounts.policy import AnyUser, StudentRelation
from accounts.statements import prepared_cursor
from dialogue.models import Attachment, Message, StudentPage, Thread

T = TypeVar("T")


@dataclass(frozen=True)
class PageAccess:
    """A student's page as one viewer may see it: the page (with its student loaded) and the
    viewer's relation to the student, from which every right is read."""

    viewer: User
    page: StudentPage
    relation: StudentRelation
    # The leaving that made the page a read-only archive (None while the page is in use).
    archive: ArchiveNote | None = None

    @property
    def student(self) -> User:
        return self.page.student


def not_found() -> NotFound:
    return NotFound("not_found", _("That page does not exist or you do not have access to it."))


def _find(viewer: AnyUser, *, loaded: StudentPage | None = None, **where: Any) -> PageAccess | None:
    """The page matching ``where`` (or the ``loaded`` one, with its student) if the viewer may
    read it. Two queries: the page with its student, and the relation (one for a loaded page)."""
    if not (viewer.is_authenticated and viewer.is_active):
        return None
    page = loaded or StudentPage.objects.select_related("student").filter(**where).first()
    if page is None:
        return None
    relation = policy.relation_to_student(viewer, page.student)
    if not relation.may_read:
        return None
    assert isinstance(viewer, User)
    archive = None
    if relation.is_archived:
        # One more read, for archives only: the note every part of the page shows
        # (``frontend/includes/archive_banner.html`` reads it from the student).
        archive = archive_note(page.student_id)
        page.student.archive = archive  # type: ignore[attr-defined]
    return PageAccess(viewer, page, relation, archive)


def _admitted(viewer: User, relation: StudentRelation) -> None:
    """Raise ``StrongLoginNeeded`` for an archive opened as the school without a recent
    strong login (the module's docstring)."""
    if relation.opens_archive_for_school and not viewer_is_strong(viewer):
        raise StrongLoginNeeded


def _opened(access: PageAccess, what: str, object_id: int | None, opening: bool) -> PageAccess:
    if opening:
        _admitted(access.viewer, access.relation)
        if what == "page" and access.relation.is_archived:
            what = "archive"  # the access log tells an archive's openings apart
        record_opening(
            viewer_id=access.viewer.pk,
            student_id=access.page.student_id,
            what=what,
            object_id=object_id,
            relation=access.relation,
        )
    return access


def student_page(
    viewer: AnyUser,
    student: User | int,
    *,
    what: str = "page",
    opening: bool = True,
    only_if: Callable[[StudentRelation], bool] | None = None,
) -> PageAccess:
    """The student's page, by the student (the URLs under ``/students/<id>/``, and the actions
    on a student's documents). ``what`` names the part shown (the page, the plan, the goals).
    ``only_if``: a part of the page only some readers see (the access log: the family); the
    others get the same 404 as outsiders, and nothing is recorded for them."""
    access = _find(viewer, student_id=student if isinstance(student, int) else student.pk)
    if access is None or (only_if is not None and not only_if(access.relation)):
        raise not_found()
    return _opened(access, what, None, opening)


def page(viewer: AnyUser, page: StudentPage | int, *, what: str = "page", opening: bool = True) -> PageAccess:
    """The page, by its own id (the URLs under ``/pages/<id>/`` and the live socket), or as
    already loaded by an action's caller (with its student)."""
    access = _find(viewer, loaded=page) if isinstance(page, StudentPage) else _find(viewer, pk=page)
    if access is None:
        raise not_found()
    return _opened(access, what, None, opening)


def thread(
    viewer: AnyUser, page_id: int, thread_id: int, *, opening: bool = True
) -> tuple[PageAccess, Thread]:
    """A thread of the page the viewer may read (its audience: ``policy.may_read_thread``); a
    thread outside its audience is not found, like a missing one. Two queries: the thread with
    its page and student, and the relation."""
    found = _thread_with_page(page_id, thread_id)
    access = _find(viewer, loaded=found.page) if found else None
    if access is None or found is None or not policy.may_read_thread(access.relation, found):
        raise not_found()
    return _opened(access, "thread", found.pk, opening), found


def _thread_with_page(page_id: int, thread_id: int) -> Thread | None:
    """The thread with its page and the page's student, as ``select_related("page__student")``
    loads them, in one statement built once: every send asks this, and compiling the ORM's
    statement anew each time was a fifth of a server's CPU under load. Values pass through
    the fields' converters, as the ORM's (SQLite's datetimes, for one)."""
    sql, parts = _thread_with_page_statement()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [thread_id, page_id])
        row = cursor.fetchone()
    if row is None:
        return None
    loaded: list[Any] = []
    start = 0
    for model, names, converters in parts:
        values = list(row[start : start + len(names)])
        for index, converter, column in converters:
            values[index] = converter(values[index], column, connection)
        loaded.append(model.from_db(connection.alias, names, values))
        start += len(names)
    thread, page, student = loaded
    page.student = student
    thread.page = page
    return thread


@functools.cache
def _thread_with_page_statement() -> tuple[str, list[tuple[Any, list[str], list[tuple[int, Any, Any]]]]]:
    """The statement, and per model its field names and the converters of its columns, in
    the ORM's order: (column index, converter, column)."""
    quote = connection.ops.quote_name
    parts, selected = [], []
    for model, alias in ((Thread, "t"), (StudentPage, "p"), (User, "u")):
        fields = model._meta.concrete_fields
        columns = [field.get_col(alias) for field in fields]
        converters = [
            (index, converter, column)
            for index, column in enumerate(columns)
            for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        ]
        parts.append((model, [field.attname for field in fields], converters))
        selected += [f"{alias}.{quote(field.column)}" for field in fields]
    table = {model: quote(model._meta.db_table) for model in (Thread, StudentPage, User)}
    # Names quoted from the models' own metadata; the ids are parameters.
    sql = (
        f"SELECT {', '.join(selected)} FROM {table[Thread]} t "  # noqa: S608
        f"JOIN {table[StudentPage]} p ON p.id = t.page_id JOIN {table[User]} u ON u.id = p.student_id "
        "WHERE t.id = %s AND t.page_id = %s"
    )
    return sql, parts


def message(
    viewer: AnyUser, page_id: int, message_id: int, *, opening: bool = True
) -> tuple[PageAccess, Message]:
    """A message of the page (for its earlier versions, or to change it). A message that is
    not on this page, on a page the viewer may not read, or in a thread outside the viewer's
    audience, is not found, like a missing one."""
    access = _find(viewer, pk=page_id)
    found = (
        Message.objects.select_related("author", "thread")
        .filter(pk=message_id, page_id=access.page.pk)
        .first()
        if access
        else None
    )
    if access is None or found is None or not policy.may_read_thread(access.relation, found.thread):
        raise NotFound("unknown_message", _("That message does not exist."))
    found.page = access.page
    return _opened(access, "message", found.pk, opening), found


def attachment(viewer: AnyUser, page_id: int, attachment_id: int) -> tuple[PageAccess, Attachment]:
    """A file of the page, for download: an unsent file only to its uploader, a file of a
    retracted message to nobody (it stays on record)."""
    access = _find(viewer, pk=page_id)
    found = (
        Attachment.objects.select_related("message__thread")
        .filter(pk=attachment_id, page_id=access.page.pk)
        .first()
        if access
        else None
    )
    if access is None or found is None or not _may_download(access, found):
        raise not_found()
    return _opened(access, "attachment", found.pk, True), found


def _may_download(access: PageAccess, file: Attachment) -> bool:
    if file.message is None:
        return file.uploaded_by_id == access.viewer.pk
    return file.message.retracted_at is None and policy.may_read_thread(access.relation, file.message.thread)


def document(
    viewer: AnyUser, student_id: int, what: str, fetch: Callable[[User], T | None], *, opening: bool = True
) -> tuple[PageAccess, T]:
    """One document of the student's (a written assessment, a talk, an action programme, a
    goal): ``fetch(student)`` finds it among the student's own, or returns None."""
    access = _find(viewer, student_id=student_id)
    found = fetch(access.student) if access else None
    if access is None or found is None:
        raise not_found()
    return _opened(access, what, getattr(found, "pk", None), opening), found


def searched(viewer: User, student_ids: Iterable[int], *, access: PageAccess | None = None) -> None:
    """A search showed snippets of these students' pages (found by a query that the policy
    filtered): one opening of what="search" per student, recorded together. ``access``: the
    one page searched, already opened without recording (its relation is known). Snippets
    of an archive opened as the school need a recent strong login, as its page does: without
    one nothing is recorded, and ``StrongLoginNeeded`` is raised before they are shown."""
    ids = set(student_ids)
    if not ids:
        return
    if access is not None and ids == {access.page.student_id}:
        relations = {access.page.student_id: access.relation}
    else:
        relations = policy.relations_to_students(viewer, list(ids))
    readable = {pk: relation for pk, relation in relations.items() if relation.may_read}
    for relation in readable.values():
        _admitted(viewer, relation)
    record_openings(viewer_id=viewer.pk, what="search", relations=readable)


def readable_pages(viewer: AnyUser, page_ids: Iterable[int]) -> set[int]:
    """Which of the pages the viewer may still read (an open socket's subscriptions; access
    can end at any time). Not an opening."""
    pages = StudentPage.objects.filter(pk__in=list(page_ids)).values_list("pk", "student_id")
    return {pk for pk, student_id in pages if policy.relation_to_student(viewer, student_id).may_read}


def may_open_student_page(viewer: User, student_id: int) -> bool:
    """Whether the viewer may open the student's page today (a notification about it is
    checked again before it is sent and when it is opened). Not an opening: the page it
    leads to is opened through ``student_page``."""
    return _find(viewer, student_id=student_id) is not None
