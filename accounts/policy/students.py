"""The student's page: how one user stands to one student, every per-student rule, and the
readers of a page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import (
    Enrolment,
    Guardianship,
    Leaving,
    Mentorship,
    SchoolClass,
    StaffRole,
    TeachingAssignment,
    User,
)
from accounts.policy import base
from accounts.policy.base import (
    GUARDIAN,
    PRINCIPAL,
    REGISTRAR,
    STUDENT,
    TEACHER,
    AnyUser,
    _active,
    _is_member,
    _school_ids_with_role,
    _taught_class_ids,
    ward_ids,
)
from accounts.statements import prepared_cursor


@dataclass(frozen=True)
class StudentRelation:
    """How one user stands to one student today, and every per-student rule of DOMAIN.md's
    table as a property of it: a door computes the relation once, and each question about
    what the viewer may do is answered from it without asking the database again."""

    viewer_id: int | None = None
    is_self: bool = False
    is_guardian: bool = False
    is_mentor: bool = False
    is_principal: bool = False
    taught_subject_ids: frozenset[int] = field(default_factory=frozenset)
    # The registrar of the student's school (or, after leaving, of the last school).
    is_registrar: bool = False
    # The student has left: the page is a read-only archive (``accounts.models.Leaving``).
    is_archived: bool = False

    @property
    def is_teacher(self) -> bool:
        """Teaches the student a subject or is the student's mentor."""
        return self.is_mentor or bool(self.taught_subject_ids)

    @property
    def is_member(self) -> bool:
        return self.is_self or self.is_guardian or self.is_teacher or self.is_principal

    @property
    def _may_change(self) -> bool:
        """Nothing is added to or changed on an archive (the binder in the locked cabinet)."""
        return not self.is_archived

    # --- The rules (DOMAIN.md, "Who may do what" and "The record's life") ---

    @property
    def may_read(self) -> bool:
        """Read the page, its dialogue and its cards. The archive of a student who left is
        read by the student, the guardians, and the principal and the registrar of the
        last school; the registrar does not read the page of a student still at school."""
        if self.is_archived:
            return self.is_self or self.is_guardian or self.is_principal or self.is_registrar
        return self.is_member

    @property
    def opens_archive_for_school(self) -> bool:
        """Reads the archive of a student who left as the school (the principal or registrar
        of the last school), not as the student or a guardian reading their own: a sensitive
        opening, which needs a recent strong login (``frontend.stepup``)."""
        return self.is_archived and not (self.is_self or self.is_guardian)

    @property
    def may_write(self) -> bool:
        """Write in the page's dialogue (and attach files)."""
        return self._may_change and self.is_member

    @property
    def may_set_goals(self) -> bool:
        return self._may_change and (self.is_teacher or self.is_principal)

    @property
    def may_propose_goals(self) -> bool:
        return self._may_change and (self.is_self or self.is_guardian)

    def may_publish_assessment(self, subject_id: int) -> bool:
        """Only a teacher who teaches the student this very subject; not the principal."""
        return self._may_change and subject_id in self.taught_subject_ids

    @property
    def may_write_self_assessment(self) -> bool:
        return self._may_change and self.is_self

    @property
    def may_draft_programme(self) -> bool:
        """Draft an action programme, change it (as a new version) and record follow-ups."""
        return self._may_change and (self.is_teacher or self.is_principal)

    @property
    def may_comment_on_programme(self) -> bool:
        """The student and guardians have the right to take part in shaping the programme."""
        return self._may_change and self.is_member

    @property
    def may_decide_programme(self) -> bool:
        """Adopt, decline and close an action programme."""
        return self._may_change and self.is_principal

    @property
    def may_book_talk(self) -> bool:
        """Each guardian books (or joins, moves, cancels) the talks of their own child."""
        return self._may_change and self.is_guardian

    @property
    def may_prepare_talk(self) -> bool:
        """The student and the guardians bring their questions and views beforehand."""
        return self._may_change and (self.is_self or self.is_guardian)

    @property
    def may_record_talk(self) -> bool:
        """The teacher who holds the talk writes the IUP and the agreements: a teacher or the
        mentor of the student (not the principal)."""
        return self._may_change and self.is_teacher

    # --- Special support (DOMAIN.md, "Special support"; skollagen chapter 3) ---

    def may_record_adaptation(self, subject_id: int) -> bool:
        """Record an extra adaptation in a subject, and its follow-ups: a teacher who teaches
        the student the subject, or the mentor."""
        return self._may_change and (self.is_mentor or subject_id in self.taught_subject_ids)

    @property
    def may_report_support(self) -> bool:
        """Report to the principal that the student may need special support."""
        return self._may_change and self.is_teacher

    @property
    def may_decide_support(self) -> bool:
        """Decide whether a need is investigated, by whom and by when, and the outcome."""
        return self._may_change and self.is_principal

    @property
    def may_give_support_views(self) -> bool:
        """The student and the guardians take part: their views are recorded as given."""
        return self._may_change and (self.is_self or self.is_guardian)

    @property
    def may_export(self) -> bool:
        """Download everything stored about the student (GDPR art. 15 and 20): the student, a
        guardian while the guardianship lasts, and the registrar for a request by post."""
        return self.is_self or self.is_guardian or self.is_registrar

    @property
    def may_handle_release(self) -> bool:
        """Register and review a request for the student's records as public records, and
        decide it: the registrar and the principal of the student's school (of the last
        school, for a student who left). Not a teacher: the request is the authority's."""
        return self.is_registrar or self.is_principal

    @property
    def may_see_openings(self) -> bool:
        """See who among staff opened the student's records (the access log): the student
        and the guardians, never each other's openings."""
        return self.is_self or self.is_guardian

    def may_edit(self, author_id: int) -> bool:
        """Change a text on the page: only its author, while they may still write there."""
        return self.may_write and author_id == self.viewer_id

    def may_retract(self, author_id: int) -> bool:
        """Hide a text from the page: its author while still a member, or the principal (who
        answers for what the school keeps on record). Not in the archive."""
        return self._may_change and (self.is_principal or (self.is_member and author_id == self.viewer_id))


NO_RELATION = StudentRelation()


# How one user stands to one student, in one round trip. Every send, socket action and page
# view asks this, so it is plain SQL rather than ORM subqueries (which took ~5 ms to compile
# per call); the ORM versions of the same rule (visible_students, readers_of_student_page)
# are tested to agree with it for every role of the cast.
# Only table names (from the models) are interpolated; every value is a query parameter.
# The student's classes and schools today, whether the page is an archive, and the schools
# whose principal (and, for an archive, registrar) reads it: shared by both statements below.
_PAGE_PLACES = f"""placement AS (
    SELECT e.school_class_id, c.school_id
    FROM {Enrolment._meta.db_table} e
    JOIN {SchoolClass._meta.db_table} c ON c.id = e.school_class_id
    WHERE e.student_id = %(student)s AND {_active("e")}
),
archive AS (
    SELECT 1 AS standing FROM {Leaving._meta.db_table} l
    WHERE l.student_id = %(student)s AND l.undone_at IS NULL AND l.left_on <= %(on)s
),
schools AS (
    SELECT school_id FROM placement
    UNION
    SELECT last_school.school_id FROM (
        SELECT c.school_id FROM {Enrolment._meta.db_table} e
        JOIN {SchoolClass._meta.db_table} c ON c.id = e.school_class_id
        WHERE e.student_id = %(student)s
        ORDER BY e.starts_on DESC, e.id DESC
        LIMIT 1
    ) last_school
    WHERE EXISTS (SELECT 1 FROM archive)
)
"""  # noqa: S608
_RELATION_SQL = f"""/* relation_to_student */
WITH {_PAGE_PLACES}SELECT 'archived' AS tie, CAST(NULL AS BIGINT) AS subject FROM archive
UNION ALL
SELECT 'guardian', NULL FROM {Guardianship._meta.db_table} g
    WHERE g.guardian_id = %(user)s AND g.student_id = %(student)s AND {_active("g")}
UNION ALL
SELECT 'teacher', t.subject_id FROM {TeachingAssignment._meta.db_table} t
    WHERE t.teacher_id = %(user)s AND {_active("t")}
    AND t.school_class_id IN (SELECT school_class_id FROM placement)
UNION ALL
SELECT 'mentor', NULL FROM {Mentorship._meta.db_table} m
    WHERE m.teacher_id = %(user)s AND {_active("m")}
    AND m.school_class_id IN (SELECT school_class_id FROM placement)
UNION ALL
SELECT r.role, NULL FROM {StaffRole._meta.db_table} r
    WHERE r.user_id = %(user)s AND r.role IN (%(principal)s, %(registrar)s) AND {_active("r")}
    AND r.school_id IN (SELECT school_id FROM schools)
"""  # noqa: S608

# Every reader of one student's page with each tie they have to it, in one round trip: the
# recipients of everything posted or announced on the page (``roles_on_student_page``), asked
# by every send and every notification's fan-out. The same rule as ``readers_of_student_page``,
# in plain SQL for the reason above (the ORM version took ~20 ms to build and plan).
_ROLES_SQL = f"""/* roles_on_student_page */
WITH {_PAGE_PLACES}SELECT u.id, ties.tie FROM (
    SELECT %(student)s AS user_id, 'student' AS tie
    UNION ALL
    SELECT g.guardian_id, 'guardian' FROM {Guardianship._meta.db_table} g
        WHERE g.student_id = %(student)s AND {_active("g")}
    UNION ALL
    SELECT t.teacher_id, 'teacher' FROM {TeachingAssignment._meta.db_table} t
        WHERE {_active("t")} AND t.school_class_id IN (SELECT school_class_id FROM placement)
        AND NOT EXISTS (SELECT 1 FROM archive)
    UNION ALL
    SELECT m.teacher_id, 'teacher' FROM {Mentorship._meta.db_table} m
        WHERE {_active("m")} AND m.school_class_id IN (SELECT school_class_id FROM placement)
        AND NOT EXISTS (SELECT 1 FROM archive)
    UNION ALL
    SELECT r.user_id, r.role FROM {StaffRole._meta.db_table} r
        WHERE r.role IN (%(principal)s, %(registrar)s) AND {_active("r")}
        AND r.school_id IN (SELECT school_id FROM schools)
        AND (r.role = %(principal)s OR EXISTS (SELECT 1 FROM archive))
) ties
JOIN {User._meta.db_table} u ON u.id = ties.user_id
WHERE u.is_active
"""  # noqa: S608


def _ties(sql: str, student_id: int, on: datetime.date | None, **more: int) -> list[tuple[Any, ...]]:
    """The rows of one of the statements above for the student on the day (default today)."""
    params: dict[str, Any] = {
        "student": student_id,
        "on": on or base.today(),
        "principal": StaffRole.Role.PRINCIPAL.value,
        "registrar": StaffRole.Role.REGISTRAR.value,
        **more,
    }
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def relation_to_student(
    user: AnyUser, student: User | int, on: datetime.date | None = None
) -> StudentRelation:
    """One query (``/* relation_to_student */`` in its SQL, so tests can count it). The
    doors of ``dialogue.doors`` compute it once per opening; everything else asks them."""
    if not _is_member(user):
        return NO_RELATION
    assert isinstance(user, User)
    student_id = student if isinstance(student, int) else student.pk
    ties = _ties(_RELATION_SQL, student_id, on, user=user.pk)
    return _relation(user.pk, student_id, ties)


def relations_to_students(
    user: AnyUser, student_ids: list[int], on: datetime.date | None = None
) -> dict[int, StudentRelation]:
    """``relation_to_student`` for several students in one query (the same SQL, once per
    student, in one statement): a list that shows something of many pages at once (the
    search's snippets) records each opening with the viewer's part."""
    ids = sorted(set(student_ids))
    if not ids or not _is_member(user):
        return dict.fromkeys(ids, NO_RELATION)
    assert isinstance(user, User)
    params: dict[str, Any] = {
        "user": user.pk,
        "on": on or base.today(),
        "principal": StaffRole.Role.PRINCIPAL.value,
        "registrar": StaffRole.Role.REGISTRAR.value,
    }
    parts = []
    for n, student_id in enumerate(ids):
        params[f"student_{n}"] = student_id
        one = _RELATION_SQL.replace("%(student)s", f"%(student_{n})s").replace("relation_to_student", "")
        # Only the fixed SQL and a loop counter are interpolated; every value is a parameter.
        parts.append(f"SELECT {n} AS n, tie, subject FROM ({one}) AS relation_{n}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("/* relations_to_students */ " + " UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    ties: dict[int, list[tuple[Any, Any]]] = {student_id: [] for student_id in ids}
    for n, tie, subject in rows:
        ties[ids[n]].append((tie, subject))
    return {student_id: _relation(user.pk, student_id, found) for student_id, found in ties.items()}


def _relation(user_id: int, student_id: int, ties: list[tuple[Any, Any]]) -> StudentRelation:
    kinds = {tie for tie, _subject in ties}
    archived = "archived" in kinds
    return StudentRelation(
        viewer_id=user_id,
        is_self=user_id == student_id,
        is_guardian="guardian" in kinds,
        # Teaching ties come from enrolments in force, which the leaving ended; an archive
        # has no teachers even if a class was (wrongly) joined after the leaving.
        is_mentor="mentor" in kinds and not archived,
        is_principal=StaffRole.Role.PRINCIPAL.value in kinds,
        is_registrar=StaffRole.Role.REGISTRAR.value in kinds,
        is_archived=archived,
        taught_subject_ids=frozenset(subject for tie, subject in ties if tie == "teacher" and not archived),
    )


def _standing_leavings(on: datetime.date) -> QuerySet[Leaving]:
    """Leavings that make a page an archive on ``on``: not undone, and already begun."""
    return Leaving.objects.filter(undone_at__isnull=True, left_on__lte=on)


def _last_school(student: Any) -> Subquery:
    """The school of the student's latest enrolment by start date (``student`` is a user or
    an ``OuterRef``): after leaving, the school that keeps the archive."""
    return Subquery(
        Enrolment.objects.filter(student=student)
        .order_by("-starts_on", "-pk")
        .values("school_class__school")[:1]
    )


def visible_students(user: AnyUser, on: datetime.date | None = None) -> QuerySet[User]:
    """Students whose page the user may read (``relation_to_student(...).may_read``)."""
    if not _is_member(user):
        return User.objects.none()
    assert isinstance(user, User)
    on = on or base.today()
    active = Enrolment.objects.active(on).filter(student=OuterRef("pk"))
    archived = Exists(_standing_leavings(on).filter(student=OuterRef("pk")))
    principal_schools = _school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on)
    keeper_schools = (
        StaffRole.objects.active(on)
        .filter(user=user, role__in=[StaffRole.Role.PRINCIPAL, StaffRole.Role.REGISTRAR])
        .values("school")
    )
    return (
        User.objects.alias(last_school=_last_school(OuterRef("pk")))
        .filter(Exists(Enrolment.objects.filter(student=OuterRef("pk"))))
        .filter(
            Q(pk=user.pk)
            | Q(pk__in=ward_ids(user, on))
            | (~archived & Exists(active.filter(school_class__in=_taught_class_ids(user, on))))
            | Exists(active.filter(school_class__school__in=principal_schools))
            | (
                archived
                & (
                    Exists(active.filter(school_class__school__in=keeper_schools))
                    | Q(last_school__in=keeper_schools)
                )
            )
        )
    )


def _keeper_of(student: User, on: datetime.date, role: str) -> Exists:
    """A principal or registrar (``role``) of the student's current school or, for an
    archive, the last school."""
    schools = Enrolment.objects.active(on).filter(student=student).values("school_class__school")
    archived = Exists(_standing_leavings(on).filter(student=student))
    return Exists(
        StaffRole.objects.active(on).filter(
            Q(school__in=schools) | (archived & Q(school=_last_school(student))),
            user=OuterRef("pk"),
            role=role,
        )
    )


def _teaches(student: User, on: datetime.date) -> Q:
    classes = Enrolment.objects.active(on).filter(student=student).values("school_class")
    return Q(
        Exists(TeachingAssignment.objects.active(on).filter(teacher=OuterRef("pk"), school_class__in=classes))
    ) | Q(Exists(Mentorship.objects.active(on).filter(teacher=OuterRef("pk"), school_class__in=classes)))


def readers_of_student_page(student: User, on: datetime.date | None = None) -> QuerySet[User]:
    """Everyone who may read the student's page: the recipients of anything posted on it.
    For an archive: the student, the guardians, the last school's principal and registrar."""
    on = on or base.today()
    archived = Exists(_standing_leavings(on).filter(student=student))
    return User.objects.filter(is_active=True).filter(
        Q(pk=student.pk)
        | Exists(Guardianship.objects.active(on).filter(guardian=OuterRef("pk"), student=student))
        | (~archived & _teaches(student, on))
        | _keeper_of(student, on, StaffRole.Role.PRINCIPAL)
        | (archived & _keeper_of(student, on, StaffRole.Role.REGISTRAR))
    )


def roles_on_student_page(student: User, on: datetime.date | None = None) -> dict[int, str]:
    """Every reader of the student's page (``readers_of_student_page``) with their part:
    STUDENT, GUARDIAN, TEACHER (teaches the student or is the mentor), PRINCIPAL or (an
    archive's) REGISTRAR. One query (``/* roles_on_student_page */``). Someone with two
    parts gets the nearer one (a teacher who is also a guardian is a guardian here)."""
    roles: dict[int, str] = {}
    for pk, tie in _ties(_ROLES_SQL, student.pk, on):
        part = _PARTS[tie]
        if pk not in roles or _NEARER.index(part) < _NEARER.index(roles[pk]):
            roles[pk] = part
    return roles


# A reader's ties to the page as parts, nearest first.
_PARTS = {
    "student": STUDENT,
    "guardian": GUARDIAN,
    "teacher": TEACHER,
    StaffRole.Role.PRINCIPAL.value: PRINCIPAL,
    StaffRole.Role.REGISTRAR.value: REGISTRAR,
}
_NEARER = (STUDENT, GUARDIAN, TEACHER, PRINCIPAL, REGISTRAR)
