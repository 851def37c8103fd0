"""Schools, school years, terms and classes."""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts import policy
from accounts.actions.actor import SYSTEM, Actor
from accounts.errors import require
from accounts.models import School, SchoolClass, SchoolYear, Term, User


def _is_operator(actor: Actor) -> bool:
    return actor is SYSTEM or (isinstance(actor, User) and actor.is_active and actor.is_superuser)


def _can_administer(actor: Actor, school: School) -> bool:
    return actor is SYSTEM or policy.can_administer_school(actor, school)  # type: ignore[arg-type]


def create_school(actor: Actor, *, name: str, municipality: str) -> School:
    return save_school(actor, School(name=name, municipality=municipality))


def school_year_for(on: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The Swedish school year containing ``on``: 1 July to 30 June, labelled 2026/27."""
    start_year = on.year if on.month >= 7 else on.year - 1
    label = f"{start_year}/{(start_year + 1) % 100:02d}"
    return label, datetime.date(start_year, 7, 1), datetime.date(start_year + 1, 6, 30)


@transaction.atomic
def ensure_school_year(actor: Actor, on: datetime.date) -> SchoolYear:
    """The school year containing ``on``, created if it does not exist yet."""
    require(actor is SYSTEM or (isinstance(actor, User) and actor.is_active))
    label, starts_on, ends_on = school_year_for(on)
    school_year, _ = SchoolYear.objects.get_or_create(
        label=label, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    return school_year


def create_term(
    actor: Actor,
    school: School,
    school_year: SchoolYear,
    *,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Term:
    term = Term(school=school, school_year=school_year, kind=kind, starts_on=starts_on, ends_on=ends_on)
    return save_term(actor, term)


def create_class(
    actor: Actor, school: School, school_year: SchoolYear, *, name: str, grade: int
) -> SchoolClass:
    school_class = SchoolClass(school=school, school_year=school_year, name=name, grade=grade)
    return save_school_class(actor, school_class)


def _save_for_school(actor: Actor, obj: SchoolClass | Term) -> SchoolClass | Term:
    """Create or change a class or term from a form; the actor must administer its school
    before and after the change (nobody moves a class into or out of another school)."""
    require(_can_administer(actor, obj.school))
    if obj.pk is not None:
        require(_can_administer(actor, type(obj).objects.get(pk=obj.pk).school))
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def save_school_class(actor: Actor, school_class: SchoolClass) -> SchoolClass:
    _save_for_school(actor, school_class)
    return school_class


@transaction.atomic
def save_term(actor: Actor, term: Term) -> Term:
    _save_for_school(actor, term)
    return term


@transaction.atomic
def save_school(actor: Actor, school: School) -> School:
    """Operators create schools; a school's administrators may rename it."""
    require(_is_operator(actor) if school.pk is None else _can_administer(actor, school))
    school.full_clean()
    school.save()
    return school
