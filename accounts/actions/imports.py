"""Creating many people and memberships at once: the register sync's import of a school.

The same rules as ``people.create_person``, ``identity.*`` and
``memberships.save_membership``, checked for the whole batch in a few queries rather than a
few per row (a municipality is 40 schools of 300 students with two guardians each). Only
SYSTEM imports. New people get an unusable password, like every account made without one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import events
from accounts.actions.actor import SYSTEM, Actor
from accounts.actions.identity import check_civic_number
from accounts.actions.memberships import _IDENTITY_FIELDS, membership_saved
from accounts.actions.people import normalise_username
from accounts.errors import Refused, refusing, require
from accounts.models import Guardianship, SchoolAccountName, SecurityMarking, StaffRole, User
from accounts.models.memberships import DatedMembership


@dataclass
class NewPerson:
    username: str
    first_name: str
    last_name: str
    email: str = ""
    civic_number: str | None = None
    security_marking: str = SecurityMarking.NONE
    school_account_names: list[str] = field(default_factory=list)


@transaction.atomic
def create_people(actor: Actor, people: Sequence[NewPerson]) -> list[User]:
    """Create every person of ``people`` or none: a username, civic number or school account
    taken (here or twice in the batch) is refused without repeating it."""
    require(actor is SYSTEM)
    users, names_of = [], []
    for new in people:
        user = User(
            username=normalise_username(new.username),
            first_name=new.first_name,
            last_name=new.last_name,
            email=new.email,
            civic_number=check_civic_number(new.civic_number) if new.civic_number else None,
            security_marking=new.security_marking,
        )
        user.set_unusable_password()
        with refusing("invalid"):
            user.full_clean(validate_unique=False, validate_constraints=False)
        users.append(user)
        names_of.append({name.strip().lower() for name in new.school_account_names if name.strip()})
    _refuse_taken(
        [u.username for u in users],
        set(User.objects.filter(username__in=[u.username for u in users]).values_list("username", flat=True)),
        Refused("username_taken", _("That username is already taken."), field="username"),
    )
    numbers = [u.civic_number for u in users if u.civic_number is not None]
    _refuse_taken(
        numbers,
        {
            n
            for n in User.objects.filter(civic_number__in=numbers).values_list("civic_number", flat=True)
            if n
        },
        Refused(
            "civic_number_taken", _("Another person already has that civic number."), field="civic_number"
        ),
    )
    all_names = [name for names in names_of for name in names]
    _refuse_taken(
        all_names,
        set(SchoolAccountName.objects.filter(name__in=all_names).values_list("name", flat=True)),
        Refused("school_account_taken", _("Another person already has that school account.")),
    )
    User.objects.bulk_create(users)
    SchoolAccountName.objects.bulk_create(
        [
            SchoolAccountName(user=user, name=name)
            for user, names in zip(users, names_of, strict=True)
            for name in sorted(names)
        ]
    )
    return users


def _refuse_taken(values: list[str], taken: set[str], refusal: Refused) -> None:
    if taken or len(set(values)) != len(values):
        raise refusal


@transaction.atomic
def add_memberships(actor: Actor, memberships: Sequence[DatedMembership]) -> list[DatedMembership]:
    """Add new memberships (unsaved instances) all or none, each checked as
    ``save_membership`` checks it: valid dates, never in force twice over the same days."""
    require(actor is SYSTEM)
    by_model: dict[type[DatedMembership], list[DatedMembership]] = defaultdict(list)
    for membership in memberships:
        assert membership.pk is None
        with refusing("invalid"):
            membership.clean()
        if isinstance(membership, Guardianship) and membership.guardian_id == membership.student_id:
            raise Refused("invalid", _("A student cannot be their own guardian."))
        if isinstance(membership, StaffRole) and membership.role not in StaffRole.Role.values:
            raise Refused("invalid", _("Unknown role."))
        by_model[type(membership)].append(membership)
    for model, rows in by_model.items():
        _check_no_overlaps(model, rows)
    # Each kind saved and announced before the next, in the order given: teaching before
    # enrolments makes each new student's page with the class's threads at once.
    for model, rows in by_model.items():
        model.objects.bulk_create(rows)
        for membership in rows:
            membership_saved.send(sender=model, membership=membership)
    user_ids: set[int] = set()
    student_ids: set[int] = set()
    for membership in memberships:
        for name in ("guardian_id", "teacher_id", "user_id"):
            if hasattr(membership, name):
                user_ids.add(getattr(membership, name))
        if hasattr(membership, "student_id"):
            student_ids.add(membership.student_id)
    events.recheck_access(user_ids=sorted(user_ids), student_ids=sorted(student_ids))
    return list(memberships)


def _check_no_overlaps(model: type[DatedMembership], rows: list[DatedMembership]) -> None:
    """``memberships.check_no_overlap`` for a batch: one query for what is stored."""
    names = _IDENTITY_FIELDS[model]
    first = names[0]
    stored = model.objects.filter(**{f"{first}__in": {getattr(row, first) for row in rows}})
    seen: dict[tuple[object, ...], list[DatedMembership]] = defaultdict(list)
    for row in stored:
        seen[tuple(getattr(row, name) for name in names)].append(row)
    for row in rows:
        identity = tuple(getattr(row, name) for name in names)
        if any(row.shares_a_day_with(other) for other in seen[identity]):
            raise Refused("overlap", _("This membership already exists for some of these dates."))
        seen[identity].append(row)
