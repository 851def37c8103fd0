"""What a school already has here, loaded for its plan in a handful of queries: the school,
its classes and memberships, the people in them or named by the register, and the register
links of all of these."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import (
    Enrolment,
    Guardianship,
    Leaving,
    Mentorship,
    School,
    SchoolAccountName,
    SchoolClass,
    StaffRole,
    Subject,
    TeachingAssignment,
    User,
)
from accounts.models.memberships import DatedMembership
from roster.models import SourceLink

Kind = SourceLink.Kind
MEMBERSHIP_MODELS: dict[str, type[DatedMembership]] = {
    Kind.ENROLMENT: Enrolment,
    Kind.GUARDIANSHIP: Guardianship,
    Kind.TEACHING: TeachingAssignment,
    Kind.MENTORSHIP: Mentorship,
    Kind.STAFF_ROLE: StaffRole,
}
# The fields that make two memberships the same one (as ``check_no_overlap`` sees it).
IDENTITY: dict[str, tuple[str, ...]] = {
    Kind.ENROLMENT: ("student_id", "school_class_id"),
    Kind.GUARDIANSHIP: ("guardian_id", "student_id"),
    Kind.TEACHING: ("teacher_id", "school_class_id", "subject_id"),
    Kind.MENTORSHIP: ("teacher_id", "school_class_id"),
    Kind.STAFF_ROLE: ("user_id", "school_id", "role"),
}


@dataclass
class Local:
    school: School | None
    school_link: SourceLink | None
    classes: dict[int, SchoolClass] = field(default_factory=dict)
    rows: dict[str, dict[int, DatedMembership]] = field(default_factory=lambda: defaultdict(dict))
    links: dict[tuple[str, str], SourceLink] = field(default_factory=dict)
    links_by_local: dict[tuple[str, int], SourceLink] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    user_by_civic: dict[str, User] = field(default_factory=dict)
    user_by_eppn: dict[str, User] = field(default_factory=dict)
    eppns: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    subjects: dict[str, Subject] = field(default_factory=dict)
    left: set[int] = field(default_factory=set)  # students with a standing leaving
    member_ids: set[int] = field(default_factory=set)  # people with a membership here

    def add_links(self, links: Iterable[SourceLink]) -> None:
        for link in links:
            self.links[(link.kind, link.source_id)] = link
            self.links_by_local[(link.kind, link.local_id)] = link

    def identical(self, kind: str, values: tuple[int | str, ...]) -> list[DatedMembership]:
        names = IDENTITY[kind]
        return [
            row for row in self.rows[kind].values() if tuple(getattr(row, name) for name in names) == values
        ]


def find_school(source_id: str, name: str) -> tuple[School | None, SourceLink | None]:
    """The school linked to the register's school unit; else the one unlinked school of the
    same name (one typed in before the register was connected)."""
    link = SourceLink.objects.filter(kind=Kind.SCHOOL, source_id=source_id).first()
    if link is not None:
        return School.objects.filter(pk=link.local_id).first(), link
    linked = SourceLink.objects.filter(kind=Kind.SCHOOL).values("local_id")
    same_name = list(School.objects.filter(name=name).exclude(pk__in=linked)[:2])
    return (same_name[0] if len(same_name) == 1 else None), None


def load(
    school: School | None,
    school_link: SourceLink | None,
    *,
    person_ids: set[str],
    group_ids: set[str],
    civic_numbers: set[str],
    eppns: set[str],
    guardianship_ids: set[str],
) -> Local:
    local = Local(school=school, school_link=school_link)
    member_ids: set[int] = set()
    if school is not None:
        local.classes = {
            c.pk: c for c in SchoolClass.objects.filter(school=school).select_related("school_year")
        }
        in_classes = {"school_class__school": school}
        local.rows[Kind.ENROLMENT] = {r.pk: r for r in Enrolment.objects.filter(**in_classes)}
        local.rows[Kind.TEACHING] = {r.pk: r for r in TeachingAssignment.objects.filter(**in_classes)}
        local.rows[Kind.MENTORSHIP] = {r.pk: r for r in Mentorship.objects.filter(**in_classes)}
        local.rows[Kind.STAFF_ROLE] = {r.pk: r for r in StaffRole.objects.filter(school=school)}
        member_ids |= {row.student_id for row in local.rows[Kind.ENROLMENT].values()}  # type: ignore[attr-defined]
        member_ids |= {row.teacher_id for row in local.rows[Kind.TEACHING].values()}  # type: ignore[attr-defined]
        member_ids |= {row.teacher_id for row in local.rows[Kind.MENTORSHIP].values()}  # type: ignore[attr-defined]
        member_ids |= {row.user_id for row in local.rows[Kind.STAFF_ROLE].values()}  # type: ignore[attr-defined]
    local.add_links(
        SourceLink.objects.filter(kind=Kind.PERSON).filter(
            Q(source_id__in=person_ids) | Q(local_id__in=member_ids)
        )
    )
    user_ids = member_ids | {link.local_id for (kind, _), link in local.links.items() if kind == Kind.PERSON}
    users = User.objects.filter(
        Q(pk__in=user_ids) | Q(civic_number__in=civic_numbers) | Q(school_account_names__name__in=eppns)
    ).distinct()
    local.users = {user.pk: user for user in users}
    _load_identities(local)
    # People found by civic number or school account may be linked to someone else.
    unseen = set(local.users) - {link.local_id for link in local.links.values()}
    if unseen:
        local.add_links(SourceLink.objects.filter(kind=Kind.PERSON, local_id__in=unseen))
    students = {row.student_id for row in local.rows[Kind.ENROLMENT].values()}  # type: ignore[attr-defined]
    students |= {
        link.local_id
        for (kind, sid), link in local.links.items()
        if kind == Kind.PERSON and sid in person_ids
    }
    local.rows[Kind.GUARDIANSHIP] = {
        row.pk: row for row in Guardianship.objects.filter(student_id__in=students)
    }
    local.member_ids = member_ids | {row.guardian_id for row in local.rows[Kind.GUARDIANSHIP].values()}  # type: ignore[attr-defined]
    link_query = Q(kind=Kind.CLASS, source_id__in=group_ids) | Q(
        kind=Kind.GUARDIANSHIP, source_id__in=guardianship_ids
    )
    link_query |= Q(kind=Kind.GUARDIANSHIP, local_id__in=list(local.rows[Kind.GUARDIANSHIP]))
    if school is not None:
        link_query |= Q(school=school, kind__in=[Kind.CLASS, *MEMBERSHIP_MODELS])
    local.add_links(SourceLink.objects.filter(link_query))
    local.subjects = {subject.code: subject for subject in Subject.objects.all()}
    local.left = set(
        Leaving.objects.filter(student_id__in=students, undone_at__isnull=True).values_list(
            "student_id", flat=True
        )
    )
    return local


def add_people(local: Local, person_ids: set[str]) -> None:
    """Load the links and accounts of more register people (two queries)."""
    if not person_ids:
        return
    links = list(SourceLink.objects.filter(kind=Kind.PERSON, source_id__in=person_ids))
    local.add_links(links)
    missing = {link.local_id for link in links} - set(local.users)
    local.users.update({user.pk: user for user in User.objects.filter(pk__in=missing)})


def _load_identities(local: Local) -> None:
    for user in local.users.values():
        if user.civic_number:
            local.user_by_civic[user.civic_number] = user
    for name, user_id in SchoolAccountName.objects.filter(user_id__in=list(local.users)).values_list(
        "name", "user_id"
    ):
        local.user_by_eppn[name] = local.users[user_id]
        local.eppns[user_id].add(name)
