"""What one school's sync would change: the register's snapshot against what is here.

Pure reading: a ``SchoolPlan`` lists the operations ``roster.apply`` carries out, the changes
in words for people (``roster.describe``) and the problems found. Nothing is guessed: a
conflict (a person matching two accounts, a class linked to another school) is reported and
what depends on it is left as it is.

Register links for what the register nests inside another entity (``SourceLink.source_id``):
an enrolment is ``<group>:<membership>``, a guardianship ``<student>:<guardian>``, a staff
role ``<duty>``, a mentorship ``<duty>:<group>``, a teaching assignment
``<activity>:<duty>:<group>``; the first part is the entity whose read tells the whole truth
about it (an incremental read that returns that entity ends what it no longer lists).
"""

from __future__ import annotations

import contextlib
import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import School, SchoolClass, User
from accounts.models.memberships import DatedMembership
from roster import reading
from roster.local import IDENTITY, Local, add_people, find_school, load
from roster.models import SourceLink
from roster.reading import Index

Kind = SourceLink.Kind


def removed_reason() -> str:
    """The end reason of what disappeared from the register, in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Removed from the student register")


def register_end_reason() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Ended in the student register")


def _reasons_of_the_register() -> set[str]:
    reasons = {"Removed from the student register", "Ended in the student register"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reasons |= {
                gettext("Removed from the student register"),
                gettext("Ended in the student register"),
            }
    return reasons


@dataclass
class Op:
    """One write: ``kind`` names the step in ``roster.apply``; ``data`` what it needs."""

    kind: str
    data: dict[str, Any]


@dataclass
class Want:
    """A membership as the register has it."""

    kind: str
    source_id: str
    refs: dict[
        str, str
    ]  # role -> register id: "student"/"guardian"/"teacher"/"user" -> person, "class" -> group
    values: dict[str, Any]  # subject, role
    starts_on: datetime.date
    ends_on: datetime.date | None
    words: dict[str, Any]  # names for the change entry


@dataclass
class SchoolPlan:
    source_id: str
    name: str
    municipality: str
    school: School | None
    ops: list[Op] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)  # register person id -> account here
    classes: dict[str, SchoolClass] = field(default_factory=dict)  # register group id -> class

    def change(self, op: Op | None, code: str, **words: Any) -> None:
        if op is not None:
            self.ops.append(op)
        self.changes.append({"code": code, **words})

    def problem(self, code: str, **words: Any) -> None:
        self.problems.append({"code": code, **words})

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(change["code"] for change in self.changes))


def municipality_of(organisation: dict[str, Any], organisations: list[dict[str, Any]]) -> str:
    parent = reading.ref_id(organisation.get("parentOrganisation"))
    for other in organisations:
        if other.get("id") == parent and other.get("organisationType") == "Huvudman":
            return str(other.get("displayName") or "")
    return str(organisation.get("municipalityCode") or "")


def plan_school(snapshot: Any, data: Any, index: Index, today: datetime.date) -> SchoolPlan:
    """The plan for one school of ``snapshot`` (``data`` is its ``SchoolData``)."""
    from roster.plan_memberships import plan_memberships
    from roster.plan_people import plan_people

    organisation = data.organisation
    source_id = str(organisation["id"])
    name = str(organisation.get("displayName") or source_id)
    school, school_link = find_school(source_id, name)
    plan = SchoolPlan(source_id, name, municipality_of(organisation, snapshot.organisations), school)
    planner = Planner(snapshot, data, index, today, plan)
    planner.local = load(
        school,
        school_link,
        person_ids=planner.person_ids(),
        group_ids={g["id"] for g in planner.class_groups},
        civic_numbers=planner.civic_numbers(),
        eppns=planner.eppns(),
        guardianship_ids=planner.guardianship_ids(),
    )
    if not planner.complete:
        planner.add_unchanged_classmates()
    planner.plan_school_unit()
    plan_people(planner)
    planner.plan_classes()
    plan_memberships(planner)
    return plan


class Planner:
    """The state shared by the steps of one school's plan."""

    local: Local

    def __init__(
        self, snapshot: Any, data: Any, index: Index, today: datetime.date, plan: SchoolPlan
    ) -> None:
        self.snapshot = snapshot
        self.data = data
        self.index = index
        self.today = today
        self.plan = plan
        self.complete: bool = snapshot.complete
        self.persons: dict[str, dict[str, Any]] = snapshot.persons
        self.class_groups = [g for g in data.groups if reading.is_class_group(g) and g.get("id")]
        self.students: set[str] = {
            pid
            for group in self.class_groups
            for membership in group.get("groupMemberships") or []
            if (pid := reading.ref_id(membership.get("person")))
        }
        self.staff: set[str] = {pid for duty in data.duties if (pid := reading.ref_id(duty.get("person")))}
        self.guardians: set[str] = {
            guardian
            for pid in self.students
            if pid in self.persons
            for guardian in reading.guardian_ids(self.persons[pid])
        }
        # Students enrolled here by the register (maybe without a class), for leavings.
        self.enrolled = set(index.enrolled_at.get(plan.source_id, ()))
        self.skipped: dict[str, int] = {}  # register person id -> memberships left out
        self.new_people: set[str] = set()  # register ids of the people this plan creates
        self.new_classes: set[str] = set()  # register ids of the classes this plan creates
        self.reasons = _reasons_of_the_register()

    # -- what to load --------------------------------------------------------------------
    def person_ids(self) -> set[str]:
        ids = self.students | self.staff | self.guardians | self.enrolled | self.index.deleted["persons"]
        if not self.complete:
            ids |= set(self.persons)  # a changed person may belong here only through what is stored
        return ids

    def civic_numbers(self) -> set[str]:
        from accounts import civic

        numbers = set()
        for pid in self.students | self.staff | self.guardians:
            raw = reading.civic_raw(self.persons.get(pid) or {})
            if raw:
                with contextlib.suppress(ValueError):  # reported by the people's step
                    numbers.add(civic.normalise(raw, today=self.today))
        return numbers

    def eppns(self) -> set[str]:
        return {
            name
            for pid in self.students | self.staff | self.guardians
            for name in reading.eppns_of(self.persons.get(pid) or {})
        }

    def guardianship_ids(self) -> set[str]:
        return {
            f"{pid}:{guardian}"
            for pid in self.students
            if pid in self.persons
            for guardian in reading.guardian_ids(self.persons[pid])
        }

    def add_unchanged_classmates(self) -> None:
        """An incremental read may return a student without their class (only the student
        changed): one enrolled here now is still this school's student, whose guardians this
        plan keeps in step."""
        local = self.local
        today = self.today
        enrolled_here = {
            row.student_id  # type: ignore[attr-defined]
            for row in local.rows[Kind.ENROLMENT].values()
            if row.ends_on is None or row.ends_on > today
        }
        found = {
            pid
            for pid in self.persons
            if (link := local.links.get((Kind.PERSON, pid))) is not None and link.local_id in enrolled_here
        }
        if not found - self.students:
            return
        self.students |= found
        guardians = {g for pid in found for g in reading.guardian_ids(self.persons[pid])}
        self.guardians |= guardians
        add_people(local, guardians - {sid for (kind, sid) in local.links if kind == Kind.PERSON})

    # -- names ---------------------------------------------------------------------------
    def person_name(self, pid: str) -> str:
        if pid in self.persons:
            return reading.full_name(self.persons[pid])
        user = self.plan.users.get(pid)
        return user.display_name if user is not None else "?"

    def class_name(self, gid: str) -> str:
        school_class = self.plan.classes.get(gid)
        for group in self.class_groups:
            if group["id"] == gid:
                return str(group.get("displayName") or gid)
        return school_class.name if school_class is not None else "?"

    def is_ours(self, row: DatedMembership) -> bool:
        """Whether the row's end date was set by the register (so the register may change it)."""
        return row.end_reason in self.reasons

    # -- the school unit and its classes -------------------------------------------------
    def plan_school_unit(self) -> None:
        plan, local = self.plan, self.local
        if plan.school is None:
            plan.change(Op("school.create", {}), "add_school", name=plan.name)
            return
        if local.school_link is None:
            plan.ops.append(Op("school.link", {}))
        if plan.school.name != plan.name:
            plan.change(
                Op("school.rename", {"name": plan.name}),
                "rename_school",
                old=plan.school.name,
                name=plan.name,
            )

    def plan_classes(self) -> None:
        plan, local = self.plan, self.local
        for group in self.class_groups:
            gid = group["id"]
            name = str(group.get("displayName") or "").strip()
            link = local.links.get((Kind.CLASS, gid))
            school_class = local.classes.get(link.local_id) if link else None
            if link is not None and school_class is None:
                plan.problem("class_in_other_school", name=name)
                continue
            grade = reading.grade_from_name(name)
            if grade is None:
                grade = self._grade_of_members(group)
            if not name or grade is None or grade > 9:
                plan.problem("unreadable_grade", name=name or gid)
                continue
            if school_class is not None:
                plan.classes[gid] = school_class
                if (school_class.name, school_class.grade) != (name, grade):
                    op = Op("class.update", {"gid": gid, "name": name, "grade": grade})
                    plan.change(op, "rename_class", old=school_class.name, name=name)
                continue
            starts = reading.day(group.get("startDate")) or self.today
            adopted = self._unlinked_class(name, starts)
            if adopted is not None:
                plan.classes[gid] = adopted
                plan.ops.append(Op("class.link", {"gid": gid}))
                continue
            plan.change(
                Op("class.create", {"gid": gid, "name": name, "grade": grade, "on": starts}),
                "add_class",
                name=name,
            )

    def _grade_of_members(self, group: dict[str, Any]) -> int | None:
        years: Counter[int] = Counter()
        for membership in group.get("groupMemberships") or []:
            person = self.persons.get(reading.ref_id(membership.get("person")) or "")
            for enrolment in reading.gr_enrolments(person or {}, {self.plan.source_id}):
                if isinstance(enrolment.get("schoolYear"), int):
                    years[enrolment["schoolYear"]] += 1
        return years.most_common(1)[0][0] if years else None

    def _unlinked_class(self, name: str, on: datetime.date) -> SchoolClass | None:
        linked = {link.local_id for (kind, _), link in self.local.links.items() if kind == Kind.CLASS}
        for school_class in self.local.classes.values():
            if (
                school_class.pk not in linked
                and school_class.name == name
                and school_class.school_year.starts_on <= on <= school_class.school_year.ends_on
            ):
                return school_class
        return None

    # -- memberships, generic ------------------------------------------------------------
    def identity_of(self, want: Want) -> tuple[int | str, ...] | None:
        """The identity of ``want`` in local ids, or None when a part is yet to be created."""
        values: list[int | str] = []
        for name in IDENTITY[want.kind]:
            key = name.removesuffix("_id")
            if key == "school_class":
                school_class = self.plan.classes.get(want.refs["class"])
                if school_class is None:
                    return None
                values.append(school_class.pk)
            elif key == "school":
                if self.plan.school is None:
                    return None
                values.append(self.plan.school.pk)
            elif key in ("subject", "role"):
                value = want.values[key]
                values.append(value.pk if key == "subject" else value)
            else:
                user = self.plan.users.get(want.refs[key])
                if user is None:
                    return None
                values.append(user.pk)
        return tuple(values)
