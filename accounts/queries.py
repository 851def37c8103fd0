"""Reads for pages. Each returns exactly what its page shows, with related rows fetched
in a fixed number of queries whatever the number of children, classes or students."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import policy
from accounts.models import (
    Enrolment,
    Guardianship,
    Leaving,
    Mentorship,
    School,
    SchoolClass,
    StaffRole,
    Subject,
    TeachingAssignment,
    User,
    active_q,
)


def _active_enrolments(on: datetime.date) -> QuerySet[Enrolment]:
    return Enrolment.objects.active(on).select_related("school_class__school").order_by("starts_on")


@dataclass
class ClassTaught:
    school_class: SchoolClass
    subjects: list[Subject] = field(default_factory=list)
    is_mentor: bool = False
    students: list[User] = field(default_factory=list)  # enrolled today, by name

    @property
    def student_count(self) -> int:
        return len(self.students)


@dataclass
class StartPage:
    """What a person may open, by the roles they hold today."""

    own_enrolments: list[Enrolment]
    children: Sequence[User]  # each with .current_enrolments
    classes_taught: list[ClassTaught]
    led_schools: list[School]
    administered_schools: list[School]
    # Schools whose archive of students who left the person keeps or answers for.
    archive_schools: list[School] = field(default_factory=list)
    # The person left school: their own page is an archive they still read.
    own_archive: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.own_enrolments
            or self.children
            or self.classes_taught
            or self.led_schools
            or self.administered_schools
            or self.archive_schools
            or self.own_archive
        )


def start_page(user: User, on: datetime.date | None = None) -> StartPage:
    on = on or policy.today()
    own = list(_active_enrolments(on).filter(student=user))
    children = list(
        User.objects.filter(pk__in=policy.ward_ids(user, on))
        .filter(is_active=True)
        .prefetch_related(
            Prefetch("enrolments", queryset=_active_enrolments(on), to_attr="current_enrolments")
        )
        .order_by("first_name", "last_name")
    )
    taught: dict[int, ClassTaught] = {}
    assignments = (
        TeachingAssignment.objects.active(on)
        .filter(teacher=user)
        .select_related("school_class__school", "subject")
        .order_by("subject__position")
    )
    for assignment in assignments:
        entry = taught.setdefault(assignment.school_class_id, ClassTaught(assignment.school_class))
        entry.subjects.append(assignment.subject)
    for mentorship in (
        Mentorship.objects.active(on).filter(teacher=user).select_related("school_class__school")
    ):
        taught.setdefault(mentorship.school_class_id, ClassTaught(mentorship.school_class)).is_mentor = True
    if taught:
        for enrolment in (
            Enrolment.objects.active(on)
            .filter(school_class_id__in=taught)
            .select_related("student")
            .order_by("student__first_name", "student__last_name", "pk")
        ):
            taught[enrolment.school_class_id].students.append(enrolment.student)
    # The schools whose archive the person keeps, and among them those they lead: one query.
    keeper_schools = list(policy.archive_keeper_schools(user, on))
    start = StartPage(
        own_enrolments=own,
        children=children,
        classes_taught=sorted(
            taught.values(), key=lambda entry: (entry.school_class.grade, entry.school_class.name)
        ),
        led_schools=[school for school in keeper_schools if getattr(school, "led", False)],
        administered_schools=list(policy.administered_schools(user, on)),
        archive_schools=keeper_schools,
    )
    if start.is_empty:
        # Only someone with nothing else here can be a student who left (one more query).
        start.own_archive = Leaving.objects.filter(
            student=user, undone_at__isnull=True, left_on__lte=on
        ).exists()
    return start


@dataclass
class Audience:
    """Who can read a student's page, by role: shown on the page so that nobody writes
    without knowing who reads. Must agree with ``policy.readers_of_student_page``."""

    student: User
    guardians: list[User]
    teachers: list[tuple[User, list[Subject]]]
    mentors: list[User]
    principals: list[User]
    enrolments: list[Enrolment]
    # An archive's keepers: the registrars of the last school (none while the page is in use).
    registrars: list[User] = field(default_factory=list)

    def everyone(self) -> set[int]:
        people = [self.student, *self.guardians, *self.mentors, *self.principals, *self.registrars]
        people += [teacher for teacher, _subjects in self.teachers]
        return {person.pk for person in people if person.is_active}


def student_page_audience(
    student: User, on: datetime.date | None = None, *, archived: bool | None = None
) -> Audience:
    """Who reads the page. ``archived``: whether the page is an archive, when the caller's
    relation already says so (else it is asked). An archive is read by the student, the
    guardians, and the principal and the registrar of the last school; it has no teachers."""
    on = on or policy.today()
    if archived is None:
        archived = Leaving.objects.filter(student=student, undone_at__isnull=True, left_on__lte=on).exists()
    enrolments = list(_active_enrolments(on).filter(student=student))
    class_ids = [enrolment.school_class_id for enrolment in enrolments]
    school_ids = {enrolment.school_class.school_id for enrolment in enrolments}
    if archived:
        class_ids = []
        last = Enrolment.objects.filter(student=student).order_by("-starts_on", "-pk")
        school_ids |= set(last.values_list("school_class__school_id", flat=True)[:1])
    guardians = [
        guardianship.guardian
        for guardianship in Guardianship.objects.active(on)
        .filter(student=student, guardian__is_active=True)
        .select_related("guardian")
        .order_by("guardian__first_name")
    ]
    subjects_by_teacher: dict[int, list[Subject]] = defaultdict(list)
    teachers: dict[int, User] = {}
    for assignment in (
        TeachingAssignment.objects.active(on)
        .filter(school_class_id__in=class_ids, teacher__is_active=True)
        .select_related("teacher", "subject")
        .order_by("subject__position")
    ):
        teachers[assignment.teacher_id] = assignment.teacher
        subjects_by_teacher[assignment.teacher_id].append(assignment.subject)
    mentors = [
        mentorship.teacher
        for mentorship in Mentorship.objects.active(on)
        .filter(school_class_id__in=class_ids, teacher__is_active=True)
        .select_related("teacher")
    ]
    keepers = list(
        StaffRole.objects.active(on)
        .filter(
            school_id__in=school_ids,
            role__in=[StaffRole.Role.PRINCIPAL, StaffRole.Role.REGISTRAR]
            if archived
            else [StaffRole.Role.PRINCIPAL],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__first_name", "pk")
    )
    principals = list(
        {role.user_id: role.user for role in keepers if role.role == StaffRole.Role.PRINCIPAL}.values()
    )
    registrars = [
        role.user
        for role in keepers
        if role.role == StaffRole.Role.REGISTRAR and role.user_id not in {p.pk for p in principals}
    ]
    return Audience(
        student=student,
        guardians=guardians,
        teachers=[(teacher, subjects_by_teacher[pk]) for pk, teacher in teachers.items()],
        mentors=mentors,
        principals=principals,
        enrolments=enrolments,
        registrars=registrars,
    )


@dataclass
class ClassRoster:
    school_class: SchoolClass
    students: list[User]
    teaching: list[TeachingAssignment]
    mentors: list[User]


def class_roster(school_class: SchoolClass, on: datetime.date | None = None) -> ClassRoster:
    on = on or policy.today()
    students = list(
        User.objects.filter(
            pk__in=Enrolment.objects.active(on).filter(school_class=school_class).values("student")
        ).order_by("first_name", "last_name")
    )
    teaching = list(
        TeachingAssignment.objects.active(on)
        .filter(school_class=school_class)
        .select_related("teacher", "subject")
        .order_by("subject__position")
    )
    mentors = [
        mentorship.teacher
        for mentorship in Mentorship.objects.active(on)
        .filter(school_class=school_class)
        .select_related("teacher")
    ]
    return ClassRoster(school_class=school_class, students=students, teaching=teaching, mentors=mentors)


@dataclass
class SchoolOverview:
    school: School
    classes: Sequence[SchoolClass]  # each with .student_count
    principals: list[User]
    teacher_count: int


def school_overview(school: School, on: datetime.date | None = None) -> SchoolOverview:
    on = on or policy.today()
    classes = list(
        SchoolClass.objects.filter(
            school=school, school_year__starts_on__lte=on, school_year__ends_on__gte=on
        )
        .annotate(student_count=Count("enrolments", filter=active_q(on, "enrolments__")))
        .order_by("grade", "name")
    )
    principals = [
        role.user
        for role in StaffRole.objects.active(on)
        .filter(school=school, role=StaffRole.Role.PRINCIPAL)
        .select_related("user")
    ]
    teacher_count = (
        User.objects.filter(
            Q(
                pk__in=TeachingAssignment.objects.active(on)
                .filter(school_class__school=school)
                .values("teacher")
            )
            | Q(pk__in=Mentorship.objects.active(on).filter(school_class__school=school).values("teacher"))
        )
        .distinct()
        .count()
    )
    return SchoolOverview(school=school, classes=classes, principals=principals, teacher_count=teacher_count)
