"""Carrying out a school's plan through the accounts actions, as SYSTEM, inside the caller's
transaction (``roster.sync`` opens one per school: whole or nothing).

Every write is an action, so the rules of the accounts floor hold (no overlapping
memberships, a student page made with the first enrolment, open sockets re-checked), and
the register links of what was created or matched are written at the end in one insert.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import transaction

from accounts.actions import SYSTEM
from accounts.actions import identity as identity_actions
from accounts.actions import leaving as leaving_actions
from accounts.actions.imports import NewPerson, add_memberships, create_people
from accounts.actions.memberships import end_membership, save_membership
from accounts.actions.people import update_person
from accounts.actions.structure import (
    create_class,
    create_school,
    ensure_school_year,
    save_school,
    save_school_class,
)
from accounts.errors import ActionError
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    StaffRole,
    TeachingAssignment,
    User,
)
from accounts.models.memberships import DatedMembership
from roster.models import SourceLink
from roster.plan import SchoolPlan, Want, register_end_reason, removed_reason

Kind = SourceLink.Kind
_USERNAME_CHARS = re.compile(r"[^a-z0-9.@+_-]")


def apply_plan(plan: SchoolPlan) -> None:
    """Precondition: inside a transaction; ``plan`` was made in it."""
    Applier(plan).run()


class Applier:
    def __init__(self, plan: SchoolPlan) -> None:
        self.plan = plan
        self.links: list[SourceLink] = []
        self.removed = removed_reason()
        self.ended = register_end_reason()

    def run(self) -> None:
        # New people and new memberships are made in batches (``accounts.actions.imports``):
        # a first import is thousands of them. A batch ends where another kind of step
        # begins, so every step still finds what the steps before it made.
        batch: list[dict[str, Any]] = []
        batch_kind = ""
        for op in self.plan.ops:
            if op.kind != batch_kind and batch:
                self._flush(batch_kind, batch)
                batch = []
            batch_kind = op.kind
            if op.kind in ("person.create", "create"):
                batch.append(op.data)
            else:
                getattr(self, "do_" + op.kind.replace(".", "_"))(op.data)
        if batch:
            self._flush(batch_kind, batch)
        SourceLink.objects.bulk_create(self.links)

    def _flush(self, kind: str, batch: list[dict[str, Any]]) -> None:
        if kind == "person.create":
            self.create_people(batch)
        else:
            self.create_memberships(batch)

    def link(self, kind: str, source_id: str, local_id: int, *, school: bool = True) -> None:
        self.links.append(
            SourceLink(
                kind=kind, source_id=source_id, local_id=local_id, school=self.plan.school if school else None
            )
        )

    # -- the school ----------------------------------------------------------------------
    def do_school_create(self, data: dict[str, Any]) -> None:
        self.plan.school = create_school(
            SYSTEM, name=self.plan.name[:200], municipality=self.plan.municipality[:100]
        )
        self.link(Kind.SCHOOL, self.plan.source_id, self.plan.school.pk)

    def do_school_link(self, data: dict[str, Any]) -> None:
        assert self.plan.school is not None
        self.link(Kind.SCHOOL, self.plan.source_id, self.plan.school.pk)

    def do_school_rename(self, data: dict[str, Any]) -> None:
        assert self.plan.school is not None
        self.plan.school.name = data["name"][:200]
        save_school(SYSTEM, self.plan.school)

    # -- people --------------------------------------------------------------------------
    def create_people(self, batch: list[dict[str, Any]]) -> None:
        usernames = free_usernames(batch)
        people = create_people(
            SYSTEM,
            [
                NewPerson(
                    username=username,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    civic_number=data["civic_number"],
                    security_marking=data["security_marking"],
                    school_account_names=data["eppns"],
                )
                for data, username in zip(batch, usernames, strict=True)
            ],
        )
        for data, person in zip(batch, people, strict=True):
            self.plan.users[data["pid"]] = person
            self.link(Kind.PERSON, data["pid"], person.pk, school=False)

    def do_person_link(self, data: dict[str, Any]) -> None:
        self.link(Kind.PERSON, data["pid"], self.plan.users[data["pid"]].pk, school=False)

    def do_person_update(self, data: dict[str, Any]) -> None:
        person = self.plan.users[data["pid"]]
        if data["fields"]:
            update_person(SYSTEM, person, **data["fields"])
        self._set_identity(person, data)

    def _set_identity(self, person: User, data: dict[str, Any]) -> None:
        if data.get("civic_number"):
            identity_actions.set_civic_number(SYSTEM, person, data["civic_number"])
        marking = data.get("security_marking")
        if marking and marking != person.security_marking:
            identity_actions.set_security_marking(SYSTEM, person, marking)
        if data.get("eppns"):
            identity_actions.set_school_account_names(SYSTEM, person, data["eppns"])

    # -- classes -------------------------------------------------------------------------
    def do_class_create(self, data: dict[str, Any]) -> None:
        assert self.plan.school is not None
        year = ensure_school_year(SYSTEM, data["on"])
        school_class = create_class(
            SYSTEM, self.plan.school, year, name=data["name"][:40], grade=data["grade"]
        )
        self.plan.classes[data["gid"]] = school_class
        self.link(Kind.CLASS, data["gid"], school_class.pk)

    def do_class_link(self, data: dict[str, Any]) -> None:
        self.link(Kind.CLASS, data["gid"], self.plan.classes[data["gid"]].pk)

    def do_class_update(self, data: dict[str, Any]) -> None:
        school_class = self.plan.classes[data["gid"]]
        school_class.name, school_class.grade = data["name"][:40], data["grade"]
        save_school_class(SYSTEM, school_class)

    # -- memberships ---------------------------------------------------------------------
    def create_memberships(self, batch: list[dict[str, Any]]) -> None:
        memberships = []
        for data in batch:
            want: Want = data["want"]
            membership = self._membership(want)
            if want.ends_on is not None:
                membership.ends_on, membership.end_reason = want.ends_on, self.ended
            memberships.append(membership)
        add_memberships(SYSTEM, memberships)
        for data, membership in zip(batch, memberships, strict=True):
            self.link(data["want"].kind, data["want"].source_id, membership.pk)

    def _membership(self, want: Want) -> DatedMembership:
        users, classes = self.plan.users, self.plan.classes
        starts_on = want.starts_on
        if want.kind == Kind.ENROLMENT:
            return Enrolment(
                student=users[want.refs["student"]],
                school_class=classes[want.refs["class"]],
                starts_on=starts_on,
            )
        if want.kind == Kind.GUARDIANSHIP:
            return Guardianship(
                guardian=users[want.refs["guardian"]],
                student=users[want.refs["student"]],
                starts_on=starts_on,
            )
        if want.kind == Kind.STAFF_ROLE:
            return StaffRole(
                user=users[want.refs["user"]],
                school=self.plan.school,
                role=want.values["role"],
                starts_on=starts_on,
            )
        if want.kind == Kind.MENTORSHIP:
            return Mentorship(
                teacher=users[want.refs["teacher"]],
                school_class=classes[want.refs["class"]],
                starts_on=starts_on,
            )
        return TeachingAssignment(
            teacher=users[want.refs["teacher"]],
            school_class=classes[want.refs["class"]],
            subject=want.values["subject"],
            starts_on=starts_on,
        )

    def do_link(self, data: dict[str, Any]) -> None:
        self.link(data["kind"], data["sid"], data["row"].pk)

    def do_end(self, data: dict[str, Any]) -> None:
        row: DatedMembership = data["row"]
        if data["ends_on"] is None:  # back in the register after it had been removed
            row.ends_on, row.end_reason = None, ""
            save_membership(SYSTEM, row)
            return
        end_membership(
            SYSTEM, row, ends_on=data["ends_on"], reason=self.removed if data["removed"] else self.ended
        )

    # -- leavings ------------------------------------------------------------------------
    def do_leave(self, data: dict[str, Any]) -> None:
        student = self.plan.users[data["pid"]]
        try:
            with transaction.atomic():
                leaving_actions.record_leaving(
                    SYSTEM, student.pk, left_on=data["left_on"], reason=data["reason"]
                )
        except ActionError as refusal:  # e.g. a leaving before the first day here
            self.plan.changes[:] = [
                c
                for c in self.plan.changes
                if not (c["code"] == "record_leaving" and c["name"] == student.display_name)
            ]
            self.plan.problem("leaving_refused", name=student.display_name, message=refusal.message)


def free_usernames(batch: list[dict[str, Any]]) -> list[str]:
    """For each new person: the local part of their first school account when free, else
    first.last in plain letters with the lowest free number (a few queries per batch)."""
    wanted = []
    for data in batch:
        local = _USERNAME_CHARS.sub("", data["eppns"][0].split("@")[0].lower())[:150] if data["eppns"] else ""
        base = ".".join(p for p in (_ascii(data["first_name"]), _ascii(data["last_name"])) if p) or "person"
        wanted.append((local, base[:140]))
    candidates = {name for pair in wanted for name in pair if name}
    taken = set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    bases_taken = {base for _local, base in wanted if base in taken}
    for base in bases_taken:
        taken |= set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    chosen = []
    for local, base in wanted:
        if local and local not in taken:
            name = local
        elif base not in taken:
            name = base
        else:
            number = 2
            while f"{base}{number}" in taken:
                number += 1
            name = f"{base}{number}"
        taken.add(name)
        chosen.append(name)
    return chosen


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return _USERNAME_CHARS.sub("", plain.replace(" ", "-"))
