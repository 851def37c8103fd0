"""Protected identities (skyddade personuppgifter) and civic numbers: who may see a
protected person's name, and who may see anyone's civic number.

A student or guardian with a security marking ("Sekretessmarkering" or "Skyddad
folkbokföring") is named only to the people who need the name:

* the person themselves;
* for a protected student: their guardians (in force today), and the staff of the student
  (``relation_to_student``): current teachers and mentor, the principal and the registrar
  of the school, and the school's administrators (``administered_people``);
* for a protected guardian: their own children (in force today), and the staff of any of
  those children, as above. Not the children's other guardians: the other parent is often
  the very person the marking protects against.

Everyone else sees a neutral label ("A student", "A guardian") that does not tell that the
person is protected: an unmarked person reads the same in a list of one class's blog. A
protected person who is neither a student nor a guardian (staff) is named as usual; their
role makes the name public to the school anyway.

Civic numbers are seen only by school administrators (of the person) and by a registrar
(of a school the student is or was at).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Enrolment, Guardianship, SecurityMarking, StaffRole, User
from accounts.policy import base
from accounts.policy.base import AnyUser, _is_member, _school_ids_with_role
from accounts.policy.schools import administered_people
from accounts.policy.students import StudentRelation, relations_to_students

STUDENT_LABEL = _("A student")
GUARDIAN_LABEL = _("A guardian")

# Person id -> the neutral label shown instead of the name.
HiddenNames = Mapping[int, Promise]


def _is_staff_of(relation: StudentRelation) -> bool:
    """The staff who need a student's (or their guardian's) name: teachers, the mentor, the
    principal and the registrar. A guardian of the same student is not among them."""
    return relation.is_teacher or relation.is_principal or relation.is_registrar


def names_hidden_from(viewer: AnyUser, people: Iterable[User | int | None]) -> dict[int, Promise]:
    """Of ``people`` (users or ids), those whose name ``viewer`` may not see, each with the
    label to show instead. Users already loaded are checked for a marking first, so a list
    of them without a protected person asks nothing; ids ask one query when none is
    protected; at most three queries otherwise, whatever the number of people."""
    ids: set[int] = set()
    for person in people:
        if isinstance(person, User):
            if person.is_protected:
                ids.add(person.pk)
        elif person is not None:
            ids.add(person)
    if not ids:
        return {}
    today = base.today()
    viewer_id = viewer.pk if _is_member(viewer) else None
    protected = User.objects.filter(pk__in=ids).exclude(security_marking=SecurityMarking.NONE)
    if viewer_id is not None:
        protected = protected.exclude(pk=viewer_id).annotate(
            managed=Q(pk__in=administered_people(viewer, today).values("pk"))
        )
    rows = list(
        protected.annotate(
            student=Exists(Enrolment.objects.filter(student=OuterRef("pk"))),
            guardian=Exists(Guardianship.objects.filter(guardian=OuterRef("pk"))),
        ).values_list("pk", "student", "guardian", *(["managed"] if viewer_id is not None else []))
    )
    labels: dict[int, Promise] = {}
    for pk, student, guardian, *managed in rows:
        if managed and managed[0]:
            continue  # the school administrator of the person
        if student:
            labels[pk] = STUDENT_LABEL
        elif guardian:
            labels[pk] = GUARDIAN_LABEL
    if not labels or viewer_id is None:
        return labels
    guardians = [pk for pk, label in labels.items() if label is GUARDIAN_LABEL]
    wards: dict[int, set[int]] = {pk: set() for pk in guardians}
    if guardians:
        for guardian_id, student_id in (
            Guardianship.objects.active(today)
            .filter(guardian__in=guardians)
            .values_list("guardian", "student")
        ):
            wards[guardian_id].add(student_id)
    students = [pk for pk, label in labels.items() if label is STUDENT_LABEL]
    relations = relations_to_students(viewer, [*students, *(s for w in wards.values() for s in w)], today)
    for pk in students:
        relation = relations[pk]
        if relation.is_guardian or _is_staff_of(relation):
            del labels[pk]
    for pk, children in wards.items():
        if viewer_id in children or any(_is_staff_of(relations[child]) for child in children):
            del labels[pk]
    return labels


def may_see_name(viewer: AnyUser, person: User | int) -> bool:
    """Whether ``viewer`` may see ``person``'s name (and class): see the module's rule."""
    person_id = person if isinstance(person, int) else person.pk
    return person_id not in names_hidden_from(viewer, [person])


def shown_name(person: User, hidden: HiddenNames) -> str:
    """The name to show of ``person``: their name, or the neutral label when ``hidden`` (an
    answer of ``names_hidden_from`` for the viewer) holds them."""
    label = hidden.get(person.pk)
    return str(label) if label is not None else person.display_name


def name_hidden_from_viewers(person: User, viewer_ids: Iterable[int]) -> dict[int, Promise]:
    """The inverse, for telling many people about one person (a notice's actor): of
    ``viewer_ids``, those who may not see ``person``'s name, each with the label. Nothing is
    asked of the database for an unprotected person; a protected one is rare, and asks
    ``names_hidden_from`` once per viewer."""
    if not person.is_protected:
        return {}
    viewers = User.objects.filter(pk__in=set(viewer_ids), is_active=True)
    hidden: dict[int, Promise] = {}
    for viewer in viewers:
        label = names_hidden_from(viewer, [person.pk]).get(person.pk)
        if label is not None:
            hidden[viewer.pk] = label
    # An inactive account reads nothing; keep it hidden all the same.
    for pk in set(viewer_ids) - {viewer.pk for viewer in viewers}:
        hidden.setdefault(pk, _label_of(person))
    return hidden


def _label_of(person: User) -> Promise:
    return STUDENT_LABEL if Enrolment.objects.filter(student=person).exists() else GUARDIAN_LABEL


# --- Civic numbers -------------------------------------------------------------------------


def civic_numbers_visible_to(viewer: AnyUser, person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, the people whose civic number ``viewer`` may see: school
    administrators see those they manage (``administered_people``), a registrar the students
    who are or were at their school (a request by post names the student by the number, also
    after leaving). One query, whatever the number of people."""
    ids = {pk for pk in person_ids if pk is not None}
    if not ids or not _is_member(viewer):
        return set()
    assert isinstance(viewer, User)
    today = base.today()
    registrar_schools = _school_ids_with_role(viewer, StaffRole.Role.REGISTRAR, today)
    students = Enrolment.objects.filter(school_class__school__in=registrar_schools).values("student")
    seen = User.objects.filter(pk__in=ids).filter(
        Q(pk__in=administered_people(viewer, today).values("pk")) | Q(pk__in=students)
    )
    return set(seen.values_list("pk", flat=True))


def may_see_civic_number(viewer: AnyUser, person: User | int) -> bool:
    person_id = person if isinstance(person, int) else person.pk
    return person_id in civic_numbers_visible_to(viewer, [person_id])
