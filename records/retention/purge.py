"""The purge: every row of every kind in the register of what is held (``accounts.held``)
that is about a due student, or in a due class blog, removed in one transaction per
subject. Nothing here names a model: what is removed is what the register declares.

One student's purge, in one transaction:

1. On PostgreSQL ``SET LOCAL elevdialog.purging = 'on'``: the access log's trigger lets the
   DELETEs of the student's openings through, in this transaction only.
2. The student's row is locked first (``SELECT ... FOR UPDATE``): two runs never purge the
   same student; the second finds the student gone and moves on.
3. Every kind's rows about the student are listed (ids) before anything is removed, since a
   kind finds its rows through others (a message through its page); their stored files are
   listed too. Then each kind removes its rows with its own ``remove``; ``accounts.user`` goes
   last (a collector delete that also takes what hangs on the account).
4. Each guardian of the student left with no ward, no staff role, teaching, mentorship or
   enrolment of their own is removed in the same transaction: their rows as a person, then
   the account.
5. The files' names are written to ``PendingFileRemoval`` and the run's purge log updated;
   after the commit the files are removed (``files``).

A crash anywhere leaves the student whole (rolled back) or gone (committed), and the next
run continues with what is still due.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.held import HeldKind, kinds
from accounts.models import Enrolment, Guardianship, Mentorship, StaffRole, TeachingAssignment, User
from classblog.models import ClassBlog
from records.models import PurgeLog
from records.retention.due import DueBlog, DueStudent, NotDue, check_student_due, due_blogs, due_students
from records.retention.files import finish_file_removals, queue_file_removals
from records.retention.rules import AppliesTo, years_for

ACCOUNT_KIND = "accounts.user"
CHUNK = 5_000  # ids per DELETE (PostgreSQL takes at most 65,535 parameters)

RowsFor = Callable[[HeldKind], "list[QuerySet[Any]]"]
Plan = list[tuple[HeldKind, list[Any]]]


@dataclass
class Removal:
    """What the purge of one subject removed (or, in a dry run, would remove)."""

    counts: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    guardians: int = 0

    def add(self, plan: Plan, files: list[str]) -> None:
        for held, pks in plan:
            self.counts[held.name] += len(pks)
        self.files.extend(files)


@dataclass
class RunResult:
    students: list[tuple[DueStudent, Removal]] = field(default_factory=list)
    blogs: list[tuple[DueBlog, Removal]] = field(default_factory=list)
    files_finished: int = 0


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def plan_rows(rows_for: RowsFor, *, already: dict[str, set[Any]] | None = None) -> Plan:
    """Every declared kind's ids that ``rows_for`` finds (minus ``already`` planned ones),
    listed before anything is removed; the account kind last."""
    plan: Plan = []
    for held in kinds():
        pks: set[Any] = set()
        for rows in rows_for(held):
            pks.update(rows.values_list("pk", flat=True))
        if already is not None:
            pks -= already.setdefault(held.name, set())
            already[held.name] |= pks
        if pks:
            plan.append((held, sorted(pks)))
    plan.sort(key=lambda item: item[0].name == ACCOUNT_KIND)  # stable: the account last
    return plan


def _about_student(student_id: int) -> RowsFor:
    """The kind's rows in the student's record and about the student as a person, as
    ``HeldKind.rows_about_student`` finds them, but as two indexed queries united here: one
    query with ``id IN (...) OR id IN (...)`` reads the whole table (0.1 s per student on
    200,000 messages)."""

    def rows_for(held: HeldKind) -> list[QuerySet[Any]]:
        found = [held.of_student(student_id)] if held.of_student is not None else []
        if held.of_person is not None and held.of_person is not held.of_student:
            found.append(held.of_person(student_id))
        return found

    return rows_for


def files_of(plan: Plan) -> list[str]:
    names: list[str] = []
    for held, pks in plan:
        if held.files is None and held.made_files is None:
            continue
        for chunk in _chunks(pks):
            for row in held.model._base_manager.filter(pk__in=chunk):
                if held.files is not None:
                    names.extend(stored.name for stored in held.files(row) if stored and stored.name)
                if held.made_files is not None:
                    names.extend(name for name in held.made_files(row) if name)
    return names


def remove_planned(plan: Plan) -> None:
    for held, pks in plan:
        for chunk in _chunks(pks):
            held.remove(held.model._base_manager.filter(pk__in=chunk))


def _say_purging() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL elevdialog.purging = 'on'")


def left_alone(person_id: int, gone: set[int]) -> bool:
    """Whether a guardian has nothing left once the students in ``gone`` are purged: no
    other ward (a guardianship ended or not), no staff role, teaching, mentorship or
    enrolment of their own, and no operator rights."""
    return not (
        Guardianship.objects.filter(guardian_id=person_id).exclude(student_id__in=gone).exists()
        or StaffRole.objects.filter(user_id=person_id).exists()
        or TeachingAssignment.objects.filter(teacher_id=person_id).exists()
        or Mentorship.objects.filter(teacher_id=person_id).exists()
        or Enrolment.objects.filter(student_id=person_id).exists()
        or User.objects.filter(pk=person_id).filter(is_superuser=True).exists()
    )


def _as_person(person_id: int) -> RowsFor:
    return lambda held: [held.of_person(person_id)] if held.of_person is not None else []


def _guardian_ids(student_id: int) -> list[int]:
    return sorted(
        set(Guardianship.objects.filter(student_id=student_id).values_list("guardian_id", flat=True))
    )


class RunLog:
    """The purge log of one run and rule: created with the run's first subject and added to
    in each subject's transaction, so it always matches what was committed."""

    def __init__(self, rule: str, years: int) -> None:
        self.rule, self.years = rule, years
        self.pk: int | None = None

    def add(self, removal: Removal) -> None:
        if self.pk is None:
            entry = PurgeLog.objects.create(rule=self.rule, years=self.years, subjects=0, counts={}, files=0)
            self.pk = entry.pk
        else:
            entry = PurgeLog.objects.select_for_update().get(pk=self.pk)
        entry.subjects += 1
        entry.counts = dict(Counter(entry.counts) + removal.counts)
        entry.files += len(removal.files)
        entry.save(update_fields=["subjects", "counts", "files"])


def purge_student(student_id: int, *, today: datetime.date, years: int, log: RunLog) -> Removal | None:
    """Remove everything about one due student (and guardians left alone), in one
    transaction; None if the student is already gone. Raises NotDue before the date."""
    with transaction.atomic():
        _say_purging()
        if not list(User.objects.select_for_update().filter(pk=student_id).values_list("pk", flat=True)):
            return None  # purged by another run while this one waited
        check_student_due(student_id, today, years)  # again, under the lock
        guardians = _guardian_ids(student_id)
        removal = Removal()
        plan = plan_rows(_about_student(student_id))
        removal.add(plan, files_of(plan))
        remove_planned(plan)
        for guardian_id in guardians:
            locked = User.objects.select_for_update().filter(pk=guardian_id).values_list("pk", flat=True)
            if not list(locked) or not left_alone(guardian_id, {student_id}):
                continue
            plan = plan_rows(_as_person(guardian_id))
            removal.add(plan, files_of(plan))
            remove_planned(plan)
            removal.guardians += 1
        queue_file_removals(removal.files)
        log.add(removal)
    finish_file_removals()
    return removal


def preview_student(student_id: int, *, gone: set[int], already: dict[str, set[Any]]) -> Removal:
    """What ``purge_student`` would remove, with ``gone`` the students purged before it in
    the same run (their guardians' other wards) and ``already`` the rows counted for them."""
    removal = Removal()
    plan = plan_rows(_about_student(student_id), already=already)
    removal.add(plan, files_of(plan))
    for guardian_id in _guardian_ids(student_id):
        if left_alone(guardian_id, gone | {student_id}):
            plan = plan_rows(_as_person(guardian_id), already=already)
            removal.add(plan, files_of(plan))
            removal.guardians += 1
    return removal


def _in_blog(blog_id: int) -> RowsFor:
    return lambda held: [held.of_blog(blog_id)] if held.of_blog is not None else []


def purge_blog(blog_id: int, *, log: RunLog) -> Removal | None:
    """Remove one class blog's posts, revisions, files and comments (every kind the
    register finds in it); the school, the class and its year stay."""
    with transaction.atomic():
        _say_purging()
        if not list(ClassBlog.objects.select_for_update().filter(pk=blog_id).values_list("pk", flat=True)):
            return None
        removal = Removal()
        plan = plan_rows(_in_blog(blog_id))
        if not plan:
            return None  # purged before (the blog's settings row may stay)
        removal.add(plan, files_of(plan))
        remove_planned(plan)
        queue_file_removals(removal.files)
        log.add(removal)
    finish_file_removals()
    return removal


def preview_blog(blog_id: int, *, already: dict[str, set[Any]]) -> Removal:
    removal = Removal()
    plan = plan_rows(_in_blog(blog_id), already=already)
    removal.add(plan, files_of(plan))
    return removal


def run_purge(today: datetime.date | None = None, *, dry_run: bool = False) -> RunResult:
    """Everything due on ``today``: students, then class blogs. A dry run removes nothing
    and reports what a real run would remove."""
    today = today or timezone.localdate()
    result = RunResult()
    if not dry_run:
        result.files_finished = finish_file_removals()  # what a crashed run left
    student_years, blog_years = years_for(AppliesTo.STUDENT_RECORDS), years_for(AppliesTo.CLASS_BLOGS)
    student_log, blog_log = (
        RunLog(AppliesTo.STUDENT_RECORDS, student_years),
        RunLog(AppliesTo.CLASS_BLOGS, blog_years),
    )
    already: dict[str, set[Any]] = {}
    gone: set[int] = set()
    for due in due_students(today, student_years):
        if dry_run:
            result.students.append((due, preview_student(due.student_id, gone=gone, already=already)))
            gone.add(due.student_id)
            continue
        try:
            removal = purge_student(due.student_id, today=today, years=student_years, log=student_log)
        except NotDue:
            continue  # undone since the list was made
        if removal is not None:
            result.students.append((due, removal))
    for blog in due_blogs(today, blog_years):
        removal = (
            preview_blog(blog.blog_id, already=already) if dry_run else purge_blog(blog.blog_id, log=blog_log)
        )
        if removal is not None and removal.counts:
            result.blogs.append((blog, removal))
    return result


def purge_one_student(
    student_id: int, today: datetime.date | None = None, *, dry_run: bool = False
) -> RunResult:
    """``--student ID``: that student only. Raises NotDue (with the date) when not due."""
    today = today or timezone.localdate()
    years = years_for(AppliesTo.STUDENT_RECORDS)
    due = check_student_due(student_id, today, years)
    result = RunResult()
    if dry_run:
        result.students.append((due, preview_student(student_id, gone=set(), already={})))
        return result
    result.files_finished = finish_file_removals()
    removal = purge_student(
        student_id, today=today, years=years, log=RunLog(AppliesTo.STUDENT_RECORDS, years)
    )
    if removal is not None:
        result.students.append((due, removal))
    return result
