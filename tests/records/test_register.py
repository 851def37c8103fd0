"""The register of what is held (``accounts.held``): complete, named by model, exporting
exactly its documented fields, and keeping every child's rows apart.

The completeness check works like the access matrix: a model that refers to a person (a
foreign key to the user model, directly or through any chain of foreign keys) and has no
kind in the register fails it, so the export, the archive and the purge never miss it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model

from accounts import held
from dialogue.models import AssessmentForm, Message
from records.models import DataExport
from tests.records.world import CLASSMATE_COMMENT, OTHER_STUDENTS_MESSAGE, World, build_world
from tests.support.cast import Cast

# Models that refer to a person but are not records about anyone, each with why.
EXEMPT: dict[str, str] = {
    # The account's group and permission memberships (Django's many-to-many tables): access
    # settings of the account, removed with it by the collector delete of accounts.user.
    "accounts.User_groups": "removed with the account",
    "accounts.User_user_permissions": "removed with the account",
}


def refers_to_a_person(model: type[Model], seen: frozenset[type[Model]] = frozenset()) -> bool:
    """Whether ``model`` is the user model or reaches it through foreign keys."""
    if model is get_user_model():
        return True
    for field in model._meta.concrete_fields:
        target = field.related_model
        if field.many_to_one or field.one_to_one:
            assert isinstance(target, type)
            if target not in seen and refers_to_a_person(target, seen | {model}):
                return True
    return False


def undeclared(declared: set[type[Model]]) -> list[str]:
    """Every model that refers to a person, is not exempt and has no kind in ``declared``."""
    return sorted(
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        if refers_to_a_person(model) and model not in declared and model._meta.label not in EXEMPT
    )


def test_every_model_that_refers_to_a_person_is_declared_in_the_register() -> None:
    assert undeclared(held.declared_models()) == []


def test_the_check_reports_a_model_that_is_left_out_of_the_register() -> None:
    assert undeclared(held.declared_models() - {Message}) == ["dialogue.Message"]
    # A model reached only through a chain (a message's revision: message -> page -> student).
    revision = held.kind("dialogue.messagerevision").model
    assert undeclared(held.declared_models() - {revision}) == ["dialogue.MessageRevision"]


def test_the_exemptions_name_real_models_that_refer_to_a_person() -> None:
    labels = {model._meta.label: model for model in apps.get_models(include_auto_created=True)}
    for label in EXEMPT:
        assert refers_to_a_person(labels[label]), label


def test_kind_names_are_unique_and_say_app_and_model() -> None:
    kinds = held.kinds()
    names = [kind.name for kind in kinds]
    assert len(names) == len(set(names))
    assert len({kind.model for kind in kinds}) == len(kinds), "one kind per model"
    for kind in kinds:
        assert kind.name == f"{kind.model._meta.app_label}.{kind.model._meta.model_name}"
        assert kind.of_student is not None or kind.of_person is not None, kind.name
        assert kind.fields, kind.name
        assert all(isinstance(text, str) and text for text in kind.fields.values()), kind.name
    with pytest.raises(AssertionError):
        held.declare(
            held.HeldKind(name="dialogue.message", model=DataExport, label="", fields={}, export=dict)
        )


# --- on real rows ----------------------------------------------------------------------------


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def rows_of(kind: held.HeldKind, student_id: int) -> set[int]:
    rows = kind.rows_about_student(student_id)
    return set() if rows is None else set(rows.values_list("pk", flat=True))


def everyone(world: World) -> list[Any]:
    cast = world.cast
    return [
        cast.student,
        cast.guardian_1,
        cast.guardian_2,
        cast.teacher,
        cast.other_teacher,
        cast.principal,
        cast.school_admin,
        cast.other_student,
        cast.other_guardian,
        world.classmate,
        world.classmate_guardian,
    ]


# Kinds a student never has rows of: staff's memberships and tools, and the school's or the
# municipality's records that name only who changed them.
STAFF_ONLY = {
    "accounts.teachingassignment",
    "accounts.mentorship",
    "accounts.staffrole",
    "dialogue.talkslot",
    "dialogue.phrase",
    "dialogue.assessmentform",
    "classblog.classblog",
    "records.retentionrule",
    "roster.rosterrun",
    "roster.rosterrunschool",
}


@pytest.mark.django_db
def test_every_kind_exports_exactly_its_documented_fields_as_json_for_real_rows(world: World) -> None:
    for kind in held.kinds():
        pks: set[int] = set()
        for person in everyone(world):
            for rows in (kind.of_student, kind.of_person):
                if rows is not None:
                    pks |= set(rows(person.pk).values_list("pk", flat=True))
        assert pks, f"the world has no rows of {kind.name}"
        for row in kind.model._default_manager.filter(pk__in=pks).select_related(*kind.related):
            exported = kind.export(row)
            assert list(exported) == list(kind.fields), kind.name
            json.dumps(exported)
            for stored in kind.files(row) if kind.files else ():
                assert stored.name, kind.name
                assert stored.storage.exists(stored.name), kind.name


@pytest.mark.django_db
def test_a_students_rows_are_found_in_every_kind_and_none_of_another_childs(world: World) -> None:
    cast = world.cast
    for kind in held.kinds():
        mine = rows_of(kind, cast.student.pk)
        if kind.name not in STAFF_ONLY:
            assert mine, f"no rows of {kind.name} found for the student"
        for child in world.other_children():
            theirs = rows_of(kind, child.pk)
            assert not mine & theirs, f"{kind.name} rows found for both the student and {child}"


@pytest.mark.django_db
def test_the_students_export_names_no_other_child_and_holds_none_of_their_words(world: World) -> None:
    cast = world.cast
    exported = []
    for kind in held.kinds():
        rows = kind.rows_about_student(cast.student.pk)
        if rows is not None:
            exported += [kind.export(row) for row in rows.select_related(*kind.related)]
    text = json.dumps(exported, ensure_ascii=False)
    # The student's own record is there, with the family's names.
    assert "Anna" in text
    assert "Karin Andersson" in text
    for child in [*world.other_children(), cast.other_guardian, world.classmate_guardian]:
        assert child.first_name not in text, child
        assert child.last_name not in text, child
    for words in (CLASSMATE_COMMENT, OTHER_STUDENTS_MESSAGE, "Bertils post", "Olle läser högt"):
        assert words not in text


@pytest.mark.django_db
def test_the_students_comments_are_theirs_and_a_classmates_comment_on_their_post_is_the_classmates(
    world: World,
) -> None:
    comments = held.kind("classblog.comment")
    bodies = set(
        comments.model._default_manager.filter(pk__in=rows_of(comments, world.cast.student.pk)).values_list(
            "body", flat=True
        )
    )
    assert bodies == {"Jag tar med matsäck!"}
    assert rows_of(comments, world.classmate.pk)
    # Removing the student's posts (with their files and earlier texts, as the purge does)
    # takes the comments written on them, whoever wrote them.
    for name in ("classblog.postfile", "classblog.postrevision", "classblog.post"):
        kind = held.kind(name)
        rows = kind.rows_about_student(world.cast.student.pk)
        assert rows is not None
        kind.remove(rows)
    assert not comments.model._default_manager.filter(body=CLASSMATE_COMMENT).exists()
    assert comments.model._default_manager.filter(body="Jag tar med matsäck!").exists()


@pytest.mark.django_db
def test_removing_a_person_from_a_schools_record_clears_the_name_and_keeps_the_record(world: World) -> None:
    forms = held.kind("dialogue.assessmentform")
    assert forms.of_person is not None
    assert forms.remove(forms.of_person(world.cast.principal.pk)) == 1
    form = AssessmentForm.objects.get(school=world.cast.school)
    assert form.updated_by is None


@pytest.mark.django_db
def test_the_staff_opening_a_students_page_is_named_and_the_family_is_shown_by_role(world: World) -> None:
    openings = held.kind("records.opening")
    rows = openings.rows_about_student(world.cast.student.pk)
    assert rows is not None
    viewers = {(row["role"], row["viewer"]) for row in map(openings.export, rows)}
    assert ("teacher", world.cast.teacher.display_name) in viewers
    assert ("guardian", "") in viewers
