"""Matching the register's people to accounts here, and what changed about them.

A register person is the account linked to it; else the account with their civic number;
else the one with one of their school-account names; else a new account. Whatever would be
a guess is a conflict, reported and left for a person: the number or school account belongs
to an account linked to another register person, or points to two accounts, or a linked
person's civic number changed. A conflicting person is left out with everything that
depends on them. A civic number never appears in a change or problem: the person's name does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import civic
from accounts.models import SecurityMarking, User
from roster import reading
from roster.models import SourceLink
from roster.plan import Op

if TYPE_CHECKING:
    from roster.plan import Planner

Kind = SourceLink.Kind


def plan_people(planner: Planner) -> None:
    plan, local = planner.plan, planner.local
    claimed: dict[int, str] = {}  # account -> register person, within this plan
    new_numbers: set[str] = set()
    new_eppns: set[str] = set()
    named = planner.students | planner.staff | planner.guardians | planner.enrolled
    for pid in sorted(planner.person_ids()):
        link = local.links.get((Kind.PERSON, pid))
        user = local.users.get(link.local_id) if link is not None else None
        person = planner.persons.get(pid)
        if person is None:
            if user is not None:
                plan.users[pid] = user  # unchanged in an incremental read, or deleted
            continue
        if pid not in named and (user is None or user.pk not in local.member_ids):
            continue  # a changed person of another school
        name = reading.full_name(person)
        number = _civic_number(planner, person, name)
        eppns = reading.eppns_of(person)
        if user is not None:
            if number and user.civic_number and user.civic_number != number:
                _conflict(planner, pid, "civic_number_changed", name)
                continue
            others = _owners(local, number, eppns) - {user}
            if others:
                _conflict(planner, pid, "matches_other_account", name)
                continue
            plan.users[pid] = user
            claimed[user.pk] = pid
            _plan_update(planner, pid, person, user, number, eppns)
            continue
        owners = _owners(local, number, eppns)
        if len(owners) > 1:
            _conflict(planner, pid, "matches_two_accounts", name)
            continue
        if owners:
            (owner,) = owners
            other_link = local.links_by_local.get((Kind.PERSON, owner.pk))
            if (other_link is not None and other_link.source_id != pid) or claimed.get(owner.pk, pid) != pid:
                _conflict(planner, pid, "linked_to_another", name)
                continue
            if number and owner.civic_number and owner.civic_number != number:
                _conflict(planner, pid, "civic_number_changed", name)
                continue
            plan.users[pid] = owner
            claimed[owner.pk] = pid
            plan.change(Op("person.link", {"pid": pid}), "link_person", name=name)
            _plan_update(planner, pid, person, owner, number, eppns)
            continue
        if (number and number in new_numbers) or eppns & new_eppns:
            _conflict(planner, pid, "matches_two_accounts", name)
            continue
        new_numbers |= {number} if number else set()
        new_eppns |= eppns
        given, family = reading.names_of(person)
        data = {
            "pid": pid,
            "first_name": given[:150],
            "last_name": family[:150],
            "email": reading.email_of(person)[:254],
            "civic_number": number,
            "security_marking": _marking(person) or SecurityMarking.NONE,
            "eppns": reading.eppn_list(person),
        }
        plan.change(Op("person.create", data), f"add_{_role(planner, pid)}", name=name)


def _role(planner: Planner, pid: str) -> str:
    if pid in planner.students:
        return "student"
    if pid in planner.staff:
        return "staff"
    return "guardian"


def _civic_number(planner: Planner, person: dict[str, Any], name: str) -> str | None:
    raw = reading.civic_raw(person)
    if not raw:
        return None
    try:
        return civic.normalise(raw, today=planner.today)
    except ValueError:
        planner.plan.problem("bad_civic_number", name=name)
        return None


def _marking(person: dict[str, Any]) -> str | None:
    marking = person.get("securityMarking")
    return marking if marking in SecurityMarking.values else None


def _owners(local: Any, number: str | None, eppns: set[str]) -> set[User]:
    owners = {local.user_by_eppn[name] for name in eppns if name in local.user_by_eppn}
    if number and number in local.user_by_civic:
        owners.add(local.user_by_civic[number])
    return owners


def _conflict(planner: Planner, pid: str, reason: str, name: str) -> None:
    planner.skipped[pid] = 0
    planner.plan.problem("person_conflict", reason=reason, name=name, pid=pid)


def _plan_update(
    planner: Planner,
    pid: str,
    person: dict[str, Any],
    user: User,
    number: str | None,
    eppns: set[str],
) -> None:
    given, family = reading.names_of(person)
    fields: dict[str, str] = {}
    if given and given != user.first_name:
        fields["first_name"] = given[:150]
    if family and family != user.last_name:
        fields["last_name"] = family[:150]
    email = reading.email_of(person)
    if email and email != user.email:
        fields["email"] = email[:254]
    data: dict[str, Any] = {"pid": pid, "fields": fields}
    what = []
    if "first_name" in fields or "last_name" in fields:
        what.append("name")
    if "email" in fields:
        what.append("email")
    if number and user.civic_number is None:
        data["civic_number"] = number
        what.append("civic_number")
    marking = _marking(person)
    if marking and marking != user.security_marking:
        data["security_marking"] = marking
        what.append("security_marking")
    if eppns and eppns != planner.local.eppns.get(user.pk, set()):
        data["eppns"] = sorted(eppns)
        what.append("school_accounts")
    if what:
        old = user.display_name
        planner.plan.change(
            Op("person.update", data), "update_person", name=reading.full_name(person), old=old, fields=what
        )
