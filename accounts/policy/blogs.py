"""The class blog: how one user stands to one class, the rights that follow, and its readers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection
from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Least

from accounts.models import (
    Enrolment,
    Guardianship,
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
    STUDENT,
    TEACHER,
    AnyUser,
    _active,
    _is_member,
    _school_ids_with_role,
    ward_ids,
)

# --- The class blog ------------------------------------------------------------------------
# A class belongs to one school year, so its blog is that year's blog. Once the year has
# ended the blog is an archive: read-only, and read by those who belonged to the class at
# the year's end (membership in force on its last day) and, today, still stand where that
# gave them access (a guardian withdrawn since reads no more) and by the school's principal.


@dataclass(frozen=True)
class ClassRelation:
    """How one user stands to one class (as of the class's year, see above)."""

    is_student: bool = False
    is_guardian: bool = False
    is_teacher: bool = False  # teaches the class a subject or is its mentor
    is_principal: bool = False

    @property
    def is_member(self) -> bool:
        return self.is_student or self.is_guardian or self.is_teacher or self.is_principal


NO_CLASS_RELATION = ClassRelation()

# One round trip, like _RELATION_SQL; ``class_on`` is today or, for a class of an ended
# school year, that year's last day. Guardianships and the principal's role count today.
_CLASS_RELATION_SQL = f"""
SELECT 'student' FROM {Enrolment._meta.db_table} e
    WHERE e.student_id = %(user)s AND e.school_class_id = %(class)s AND {_active("e", "class_on")}
UNION ALL
SELECT 'guardian' FROM {Guardianship._meta.db_table} g
    JOIN {Enrolment._meta.db_table} e ON e.student_id = g.student_id
    WHERE g.guardian_id = %(user)s AND {_active("g")}
    AND e.school_class_id = %(class)s AND {_active("e", "class_on")}
UNION ALL
SELECT 'teacher' FROM {TeachingAssignment._meta.db_table} t
    WHERE t.teacher_id = %(user)s AND t.school_class_id = %(class)s AND {_active("t", "class_on")}
UNION ALL
SELECT 'teacher' FROM {Mentorship._meta.db_table} m
    WHERE m.teacher_id = %(user)s AND m.school_class_id = %(class)s AND {_active("m", "class_on")}
UNION ALL
SELECT 'principal' FROM {StaffRole._meta.db_table} r
    WHERE r.user_id = %(user)s AND r.role = %(principal)s AND r.school_id = %(school)s AND {_active("r")}
"""  # noqa: S608


def class_blog_is_archived(school_class: SchoolClass, on: datetime.date | None = None) -> bool:
    """The blog of a class whose school year has ended (precondition: ``school_year`` is
    loaded or loadable)."""
    return school_class.school_year.ends_on < (on or base.today())


def _class_day(school_class: SchoolClass, on: datetime.date) -> datetime.date:
    return min(on, school_class.school_year.ends_on)


def relation_to_class(user: AnyUser, school_class: SchoolClass) -> ClassRelation:
    """One query. Precondition: ``school_class.school_year`` is loaded (else one more)."""
    if not _is_member(user):
        return NO_CLASS_RELATION
    assert isinstance(user, User)
    on = base.today()
    params: dict[str, Any] = {
        "user": user.pk,
        "class": school_class.pk,
        "school": school_class.school_id,
        "on": on,
        "class_on": _class_day(school_class, on),
        "principal": StaffRole.Role.PRINCIPAL.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLASS_RELATION_SQL, params)
        kinds = {kind for (kind,) in cursor.fetchall()}
    return ClassRelation(
        is_student="student" in kinds,
        is_guardian="guardian" in kinds,
        is_teacher="teacher" in kinds,
        is_principal="principal" in kinds,
    )


class BlogSettings(Protocol):
    """A class blog's settings (``classblog.models.ClassBlog``; a protocol so that this
    floor imports nothing above it)."""

    student_posts: bool
    comments: str  # "off", "class" (students and teachers) or "everyone" (guardians too)


@dataclass(frozen=True)
class BlogRights:
    """What a person may do in one class's blog, from one relation."""

    read: bool
    write: bool  # write posts
    needs_approval: bool  # their posts wait for a teacher's approval
    moderate: bool  # approve, decline, pin, schedule, hide comments, change the settings
    comment: bool


def class_blog_rights(relation: ClassRelation, settings: BlogSettings, *, archived: bool) -> BlogRights:
    """Teachers of the class and the principal publish and moderate; students write posts
    (for approval) when the class allows it; comments as the class has chosen. An archived
    blog is read-only for everyone."""
    staff = relation.is_teacher or relation.is_principal
    open_for_writing = not archived
    comments_on = settings.comments != "off"
    return BlogRights(
        read=relation.is_member,
        write=open_for_writing and (staff or (relation.is_student and settings.student_posts)),
        needs_approval=not staff,
        moderate=open_for_writing and staff,
        comment=open_for_writing
        and comments_on
        and (staff or relation.is_student or (relation.is_guardian and settings.comments == "everyone")),
    )


def _on_class_day(prefix: str = "") -> Q:
    """Memberships in force on the annotated ``class_on`` of the outer class."""
    return Q(**{f"{prefix}starts_on__lte": OuterRef("class_on")}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": OuterRef("class_on")})
    )


def _classes_with_day(on: datetime.date) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.annotate(
        class_on=Least(Value(on, output_field=DateField()), F("school_year__ends_on"))
    )


def visible_class_blogs(user: AnyUser, on: datetime.date | None = None) -> QuerySet[SchoolClass]:
    """Classes whose blog the user may read (the ORM twin of ``relation_to_class``): own
    class, children's classes, classes taught, every class of a school the user leads; for
    ended years, as of the year's last day."""
    if not _is_member(user):
        return SchoolClass.objects.none()
    assert isinstance(user, User)
    on = on or base.today()
    enrolled = Enrolment.objects.filter(_on_class_day(), school_class=OuterRef("pk"))
    return _classes_with_day(on).filter(
        Exists(enrolled.filter(student=user))
        | Exists(enrolled.filter(student__in=ward_ids(user, on)))
        | Exists(
            TeachingAssignment.objects.filter(_on_class_day(), school_class=OuterRef("pk"), teacher=user)
        )
        | Exists(Mentorship.objects.filter(_on_class_day(), school_class=OuterRef("pk"), teacher=user))
        | Q(school__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on))
    )


def readers_of_class_blog(school_class: SchoolClass, on: datetime.date | None = None) -> QuerySet[User]:
    """Everyone who may read the class's blog (the recipients of what is published there)."""
    on = on or base.today()
    class_on = _class_day(school_class, on)
    enrolled = Enrolment.objects.active(class_on).filter(school_class=school_class)
    return User.objects.filter(is_active=True).filter(
        Q(pk__in=enrolled.values("student"))
        | Exists(
            Guardianship.objects.active(on).filter(
                guardian=OuterRef("pk"), student__in=enrolled.values("student")
            )
        )
        | Exists(
            TeachingAssignment.objects.active(class_on).filter(
                teacher=OuterRef("pk"), school_class=school_class
            )
        )
        | Exists(
            Mentorship.objects.active(class_on).filter(teacher=OuterRef("pk"), school_class=school_class)
        )
        | Exists(
            StaffRole.objects.active(on).filter(
                user=OuterRef("pk"), role=StaffRole.Role.PRINCIPAL, school_id=school_class.school_id
            )
        )
    )


def roles_in_class_blog(school_class: SchoolClass, on: datetime.date | None = None) -> dict[int, str]:
    """Every reader of the class's blog (``readers_of_class_blog``) with their part:
    STUDENT, GUARDIAN, TEACHER or PRINCIPAL. One query."""
    on = on or base.today()
    class_on = _class_day(school_class, on)
    enrolled = Enrolment.objects.active(class_on).filter(school_class=school_class).values("student")
    rows = readers_of_class_blog(school_class, on).annotate(
        student=Exists(enrolled.filter(student=OuterRef("pk"))),
        guardian=Exists(
            Guardianship.objects.active(on).filter(guardian=OuterRef("pk"), student__in=enrolled)
        ),
        teacher=Exists(
            TeachingAssignment.objects.active(class_on).filter(
                teacher=OuterRef("pk"), school_class=school_class
            )
        )
        | Exists(
            Mentorship.objects.active(class_on).filter(teacher=OuterRef("pk"), school_class=school_class)
        ),
    )
    roles = {}
    for pk, student, guardian, teacher in rows.values_list("pk", "student", "guardian", "teacher"):
        roles[pk] = STUDENT if student else GUARDIAN if guardian else TEACHER if teacher else PRINCIPAL
    return roles
