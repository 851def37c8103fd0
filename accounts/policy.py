"""THE access policy: who may see and do what. Every rule of DOMAIN.md lives here.

HTTP views, WebSocket consumers, the admin and the notification fan-out all ask this
module; none re-implements a rule. Three kinds of helper:

* ``can_<verb>_<noun>(user, obj)`` answers one question about one object;
* ``visible_<nouns>(user)`` returns a queryset of everything of that kind the user may see;
* ``access_<noun>(user, id)`` fetches one object or raises the same ``Http404`` whether it
  is missing or forbidden, so nobody can probe which ids exist;
* ``readers_of_<noun>(obj)`` is the inverse: everyone who may read it (fan-out recipients).

Access depends on dated memberships in force *today* (``timezone.localdate()``, Swedish time):
a teacher whose assignment ends loses access from its end date; a withdrawn guardian from
the day of withdrawal. Inactive accounts have no access at all. Superusers run the platform
and administer schools, but are not members of any student's page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Least
from django.utils import timezone

from accounts.errors import NotFound
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    School,
    SchoolClass,
    StaffRole,
    Subject,
    TeachingAssignment,
    User,
)

AnyUser = User | AnonymousUser


def today() -> datetime.date:
    return timezone.localdate()


def _is_member(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- Building blocks (subqueries) ----------------------------------------------------------


def _taught_class_ids(user: User, on: datetime.date) -> QuerySet:
    """Classes the user teaches a subject in, or is mentor of."""
    teaching = TeachingAssignment.objects.active(on).filter(teacher=user).values("school_class")
    mentoring = Mentorship.objects.active(on).filter(teacher=user).values("school_class")
    return SchoolClass.objects.filter(Q(pk__in=teaching) | Q(pk__in=mentoring)).values("pk")


def _school_ids_with_role(user: User, role: str, on: datetime.date) -> QuerySet:
    return StaffRole.objects.active(on).filter(user=user, role=role).values("school")


def ward_ids(user: User, on: datetime.date | None = None) -> QuerySet:
    """The ids of the user's children: guardianships in force on ``on`` (today). The one
    definition of "my wards" (start page, blogs, talks, and the rules here)."""
    return Guardianship.objects.active(on or today()).filter(guardian=user).values("student")


# --- The student's page --------------------------------------------------------------------


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

    @property
    def is_teacher(self) -> bool:
        """Teaches the student a subject or is the student's mentor."""
        return self.is_mentor or bool(self.taught_subject_ids)

    @property
    def is_member(self) -> bool:
        return self.is_self or self.is_guardian or self.is_teacher or self.is_principal

    # --- The rules (DOMAIN.md, "Who may do what") ---

    @property
    def may_read(self) -> bool:
        """Read the page, its dialogue and its cards."""
        return self.is_member

    @property
    def may_write(self) -> bool:
        """Write in the page's dialogue (and attach files)."""
        return self.is_member

    @property
    def may_set_goals(self) -> bool:
        return self.is_teacher or self.is_principal

    @property
    def may_propose_goals(self) -> bool:
        return self.is_self or self.is_guardian

    def may_publish_assessment(self, subject_id: int) -> bool:
        """Only a teacher who teaches the student this very subject; not the principal."""
        return subject_id in self.taught_subject_ids

    @property
    def may_write_self_assessment(self) -> bool:
        return self.is_self

    @property
    def may_draft_programme(self) -> bool:
        """Draft an action programme, change it (as a new version) and record follow-ups."""
        return self.is_teacher or self.is_principal

    @property
    def may_comment_on_programme(self) -> bool:
        """The student and guardians have the right to take part in shaping the programme."""
        return self.is_member

    @property
    def may_decide_programme(self) -> bool:
        """Adopt, decline and close an action programme."""
        return self.is_principal

    @property
    def may_book_talk(self) -> bool:
        """Each guardian books (or joins, moves, cancels) the talks of their own child."""
        return self.is_guardian

    @property
    def may_prepare_talk(self) -> bool:
        """The student and the guardians bring their questions and views beforehand."""
        return self.is_self or self.is_guardian

    @property
    def may_record_talk(self) -> bool:
        """The teacher who holds the talk writes the IUP and the agreements: a teacher or the
        mentor of the student (not the principal)."""
        return self.is_teacher

    def may_edit(self, author_id: int) -> bool:
        """Change a text on the page: only its author, while they may still write there."""
        return self.may_write and author_id == self.viewer_id

    def may_retract(self, author_id: int) -> bool:
        """Hide a text from the page: its author while still a member, or the principal (who
        answers for what the school keeps on record)."""
        return self.is_principal or (self.is_member and author_id == self.viewer_id)


NO_RELATION = StudentRelation()


def _active(alias: str, on: str = "on") -> str:
    return f"{alias}.starts_on <= %({on})s AND ({alias}.ends_on IS NULL OR {alias}.ends_on > %({on})s)"


# How one user stands to one student, in one round trip. Every send, socket action and page
# view asks this, so it is plain SQL rather than ORM subqueries (which took ~5 ms to compile
# per call); the ORM versions of the same rule (visible_students, readers_of_student_page)
# are tested to agree with it for every role of the cast.
# Only table names (from the models) are interpolated; every value is a query parameter.
_RELATION_SQL = f"""/* relation_to_student */
WITH placement AS (
    SELECT e.school_class_id, c.school_id
    FROM {Enrolment._meta.db_table} e
    JOIN {SchoolClass._meta.db_table} c ON c.id = e.school_class_id
    WHERE e.student_id = %(student)s AND {_active("e")}
)
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
SELECT 'principal', NULL FROM {StaffRole._meta.db_table} r
    WHERE r.user_id = %(user)s AND r.role = %(principal)s AND {_active("r")}
    AND r.school_id IN (SELECT school_id FROM placement)
"""  # noqa: S608


def relation_to_student(
    user: AnyUser, student: User | int, on: datetime.date | None = None
) -> StudentRelation:
    """One query (``/* relation_to_student */`` in its SQL, so tests can count it). The
    doors of ``dialogue.doors`` compute it once per opening; everything else asks them."""
    if not _is_member(user):
        return NO_RELATION
    assert isinstance(user, User)
    student_id = student if isinstance(student, int) else student.pk
    params: dict[str, Any] = {
        "user": user.pk,
        "student": student_id,
        "on": on or today(),
        "principal": StaffRole.Role.PRINCIPAL.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_RELATION_SQL, params)
        ties = cursor.fetchall()
    kinds = {tie for tie, _subject in ties}
    return StudentRelation(
        viewer_id=user.pk,
        is_self=user.pk == student_id,
        is_guardian="guardian" in kinds,
        is_mentor="mentor" in kinds,
        is_principal="principal" in kinds,
        taught_subject_ids=frozenset(subject for tie, subject in ties if tie == "teacher"),
    )


def can_read_student_page(user: AnyUser, student: User) -> bool:
    return relation_to_student(user, student).is_member


# --- Development talks ---------------------------------------------------------------------


def can_manage_talk_slots(user: AnyUser, school_class: SchoolClass) -> bool:
    """A teacher of the class (mentor or subject teacher) opens and cancels its talk slots.
    The principal sees them (``visible_class_rosters``) but does not hold the talks."""
    if not _is_member(user):
        return False
    assert isinstance(user, User)
    return _taught_class_ids(user, today()).filter(pk=school_class.pk).exists()


def visible_students(user: AnyUser, on: datetime.date | None = None) -> QuerySet[User]:
    """Students whose page the user may read."""
    if not _is_member(user):
        return User.objects.none()
    assert isinstance(user, User)
    on = on or today()
    active = Enrolment.objects.active(on).filter(student=OuterRef("pk"))
    return User.objects.filter(
        Exists(Enrolment.objects.filter(student=OuterRef("pk")))
        & (
            Q(pk=user.pk)
            | Q(pk__in=ward_ids(user, on))
            | Exists(active.filter(school_class__in=_taught_class_ids(user, on)))
            | Exists(
                active.filter(
                    school_class__school__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on)
                )
            )
        )
    )


def readers_of_student_page(student: User, on: datetime.date | None = None) -> QuerySet[User]:
    """Everyone who may read the student's page: the recipients of anything posted on it."""
    on = on or today()
    classes = Enrolment.objects.active(on).filter(student=student).values("school_class")
    schools = Enrolment.objects.active(on).filter(student=student).values("school_class__school")
    return User.objects.filter(is_active=True).filter(
        Q(pk=student.pk)
        | Exists(Guardianship.objects.active(on).filter(guardian=OuterRef("pk"), student=student))
        | Exists(
            TeachingAssignment.objects.active(on).filter(teacher=OuterRef("pk"), school_class__in=classes)
        )
        | Exists(Mentorship.objects.active(on).filter(teacher=OuterRef("pk"), school_class__in=classes))
        | Exists(
            StaffRole.objects.active(on).filter(
                user=OuterRef("pk"), role=StaffRole.Role.PRINCIPAL, school__in=schools
            )
        )
    )


# A reader's part in a student's page or a class, for telling people about it.
STUDENT, GUARDIAN, TEACHER, PRINCIPAL = "student", "guardian", "teacher", "principal"


def roles_on_student_page(student: User, on: datetime.date | None = None) -> dict[int, str]:
    """Every reader of the student's page (``readers_of_student_page``) with their part:
    STUDENT, GUARDIAN, TEACHER (teaches the student or is the mentor) or PRINCIPAL. One
    query. Someone with two parts gets the nearer one (a teacher who is also a guardian is
    a guardian here)."""
    on = on or today()
    classes = Enrolment.objects.active(on).filter(student=student).values("school_class")
    rows = readers_of_student_page(student, on).annotate(
        guardian=Exists(Guardianship.objects.active(on).filter(guardian=OuterRef("pk"), student=student)),
        teacher=Exists(
            TeachingAssignment.objects.active(on).filter(teacher=OuterRef("pk"), school_class__in=classes)
        )
        | Exists(Mentorship.objects.active(on).filter(teacher=OuterRef("pk"), school_class__in=classes)),
    )
    roles = {}
    for pk, guardian, teacher in rows.values_list("pk", "guardian", "teacher"):
        roles[pk] = (
            STUDENT if pk == student.pk else GUARDIAN if guardian else TEACHER if teacher else PRINCIPAL
        )
    return roles


# --- Classes -----------------------------------------------------------------------------


def visible_class_rosters(user: AnyUser, on: datetime.date | None = None) -> QuerySet[SchoolClass]:
    """Classes whose list of students the user may see: their teachers and the principal.
    Students and guardians do not see other students' names through the class."""
    if not _is_member(user):
        return SchoolClass.objects.none()
    assert isinstance(user, User)
    on = on or today()
    return SchoolClass.objects.filter(
        Q(pk__in=_taught_class_ids(user, on))
        | Q(school__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on))
    )


def access_class_roster(user: AnyUser, class_id: int) -> SchoolClass:
    school_class = (
        visible_class_rosters(user).filter(pk=class_id).select_related("school", "school_year").first()
    )
    if school_class is None:
        raise NotFound
    return school_class


def assessed_subjects(
    user: AnyUser, school_class: SchoolClass, on: datetime.date | None = None
) -> QuerySet[Subject]:
    """Subjects whose written assessments the user writes for the class: those they teach
    it now (the same rule as ``can_publish_assessment``, for a whole class)."""
    if not _is_member(user):
        return Subject.objects.none()
    assert isinstance(user, User)
    taught = TeachingAssignment.objects.active(on or today()).filter(teacher=user, school_class=school_class)
    return Subject.objects.filter(pk__in=taught.values("subject"))


def access_assessment_flow(user: AnyUser, class_id: int, subject_id: int) -> tuple[SchoolClass, Subject]:
    """The class and subject of a teacher's assessment flow, or 404 (missing and forbidden
    alike) unless the user teaches the class that subject."""
    school_class = SchoolClass.objects.select_related("school", "school_year").filter(pk=class_id).first()
    subject = assessed_subjects(user, school_class).filter(pk=subject_id).first() if school_class else None
    if school_class is None or subject is None:
        raise NotFound
    return school_class, subject


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
    return school_class.school_year.ends_on < (on or today())


def _class_day(school_class: SchoolClass, on: datetime.date) -> datetime.date:
    return min(on, school_class.school_year.ends_on)


def relation_to_class(user: AnyUser, school_class: SchoolClass) -> ClassRelation:
    """One query. Precondition: ``school_class.school_year`` is loaded (else one more)."""
    if not _is_member(user):
        return NO_CLASS_RELATION
    assert isinstance(user, User)
    on = today()
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
    on = on or today()
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
    on = on or today()
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
    on = on or today()
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


def can_read_class_blog(user: AnyUser, school_class: SchoolClass) -> bool:
    return relation_to_class(user, school_class).is_member


def access_class_blog(user: AnyUser, class_id: int) -> tuple[SchoolClass, ClassRelation]:
    """The class whose blog the user may read, with how they stand to it, or 404 (missing
    and forbidden alike)."""
    school_class = SchoolClass.objects.select_related("school", "school_year").filter(pk=class_id).first()
    relation = relation_to_class(user, school_class) if school_class else NO_CLASS_RELATION
    if school_class is None or not relation.is_member:
        raise NotFound
    return school_class, relation


# --- Schools -------------------------------------------------------------------------------


def led_schools(user: AnyUser, on: datetime.date | None = None) -> QuerySet[School]:
    """Schools the user is principal of (the principal's overview)."""
    if not _is_member(user):
        return School.objects.none()
    assert isinstance(user, User)
    return School.objects.filter(pk__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on or today()))


def access_led_school(user: AnyUser, school_id: int) -> School:
    school = led_schools(user).filter(pk=school_id).first()
    if school is None:
        raise NotFound
    return school


def can_review_flagged_texts(user: AnyUser, school: School) -> bool:
    """The principal reviews what the sensitive-text guard flagged at the school."""
    return led_schools(user).filter(pk=school.pk).exists()


def administered_schools(user: AnyUser, on: datetime.date | None = None) -> QuerySet[School]:
    """Schools whose people and memberships the user manages (school administrators).
    Superusers administer every school."""
    if not _is_member(user):
        return School.objects.none()
    assert isinstance(user, User)
    if user.is_superuser:
        return School.objects.all()
    return School.objects.filter(
        pk__in=_school_ids_with_role(user, StaffRole.Role.SCHOOL_ADMIN, on or today())
    )


def can_administer_school(user: AnyUser, school: School) -> bool:
    return administered_schools(user).filter(pk=school.pk).exists()


def administered_people(user: AnyUser, on: datetime.date | None = None) -> QuerySet[User]:
    """People a school administrator may manage: anyone with a membership, past or present,
    at one of the administered schools (students, their guardians, teachers, staff), except
    platform operators (superusers), whom only superusers manage. Superusers manage everyone."""
    if not _is_member(user):
        return User.objects.none()
    assert isinstance(user, User)
    if user.is_superuser:
        return User.objects.all()
    schools = administered_schools(user, on).values("pk")
    students = Enrolment.objects.filter(school_class__school__in=schools).values("student")
    return User.objects.filter(is_superuser=False).filter(
        Q(pk__in=students)
        | Q(pk__in=Guardianship.objects.filter(student__in=students).values("guardian"))
        | Q(pk__in=TeachingAssignment.objects.filter(school_class__school__in=schools).values("teacher"))
        | Q(pk__in=Mentorship.objects.filter(school_class__school__in=schools).values("teacher"))
        | Q(pk__in=StaffRole.objects.filter(school__in=schools).values("user"))
    )


# --- Login security ------------------------------------------------------------------------


def staff_filter(on: datetime.date) -> Q:
    """Users who are staff on ``on``: teaching, mentoring, or holding a school role."""
    return (
        Q(is_superuser=True)
        | Q(Exists(TeachingAssignment.objects.active(on).filter(teacher=OuterRef("pk"))))
        | Q(Exists(Mentorship.objects.active(on).filter(teacher=OuterRef("pk"))))
        | Q(Exists(StaffRole.objects.active(on).filter(user=OuterRef("pk"))))
    )


def requires_otp(user: AnyUser) -> bool:
    """Staff (teachers, mentors, principals, administrators, superusers) must use one-time
    passwords; for students and guardians they are optional."""
    if not _is_member(user):
        return False
    assert isinstance(user, User)
    return User.objects.filter(pk=user.pk).filter(staff_filter(today())).exists()
