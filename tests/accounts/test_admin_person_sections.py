"""The school administration in Swedish with the sections that fit each person: every model,
field, inline and app has a Swedish name, and a person's page shows the memberships of their
kind only (a student has no teaching section), with a link to add another kind."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Field, Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.actions import SYSTEM
from accounts.actions import people as p
from accounts.admin import school_admin_site
from accounts.models import TeachingAssignment
from tests.accounts.test_admin import add_row, form_data, person_url
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db

EVERY_SECTION = {
    "enrolments",
    "guardians_of",
    "guardianships",
    "teaching_assignments",
    "mentorships",
    "staff_roles",
}
OUR_APPS = ("accounts", "notifications", "writing", "dialogue", "classblog", "frontend")
# Words spelled the same in both languages.
SAME_IN_SWEDISH = {"person", "ID"}


@pytest.fixture
def admin(cast: Cast) -> Client:
    return verified_client(cast.school_admin)


def sections(response: Any) -> set[str]:
    assert response.status_code == 200
    return {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}


def admin_models() -> list[type[Model]]:
    models: list[type[Model]] = []
    for model, model_admin in school_admin_site._registry.items():
        models.append(model)
        models.extend(inline.model for inline in model_admin.inlines)
    return models


def in_language(text: object, language: str) -> str:
    with translation.override(language):
        return str(text)


def test_every_admin_model_field_and_app_has_a_swedish_name() -> None:
    untranslated = []
    names: list[tuple[str, object]] = []
    for model in admin_models():
        label = model._meta.label
        names += [(label, model._meta.verbose_name), (f"{label} (plural)", model._meta.verbose_name_plural)]
        for field in model._meta.get_fields():
            if isinstance(field, Field) and field.concrete and not field.auto_created:
                names.append((f"{label}.{field.name}", field.verbose_name))
    for label in OUR_APPS:
        names.append((f"app {label}", apps.get_app_config(label).verbose_name))
    for where, name in names:
        english, swedish = in_language(name, "en"), in_language(name, "sv")
        if not isinstance(name, Promise) or (swedish == english and english not in SAME_IN_SWEDISH):
            untranslated.append(f"{where}: {english!r}")
    assert untranslated == []


def test_a_students_page_has_swedish_column_headings_and_no_staff_sections(cast: Cast, admin: Client) -> None:
    response = admin.get(person_url(cast.student))

    assert sections(response) == {"enrolments", "guardians_of"}
    page = response.content.decode()
    headings = {
        re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    }
    assert {"Klass", "Vårdnadshavare", "Startdatum"} <= headings
    for english in ("School class", "Guardian", "Student", "Subject", "Teacher"):
        assert english not in headings
    assert "Undervisningsuppdrag" not in page
    assert "Mentorskap" not in page


def test_a_guardian_sees_their_children_and_staff_see_teaching_and_roles(cast: Cast, admin: Client) -> None:
    assert sections(admin.get(person_url(cast.guardian_1))) == {"guardianships"}
    staff = {"teaching_assignments", "mentorships", "staff_roles"}
    assert sections(admin.get(person_url(cast.teacher))) == staff
    assert sections(admin.get(person_url(cast.principal))) == staff


def test_a_new_person_gets_every_section(cast: Cast, admin: Client) -> None:
    assert sections(admin.get(reverse("admin:accounts_user_add"))) == EVERY_SECTION


def test_the_link_to_another_kind_shows_every_section_and_saves_a_new_kind(cast: Cast, admin: Client) -> None:
    guardian_page = admin.get(person_url(cast.guardian_1))
    link = "?all_memberships=1"
    assert f'href="{link}"' in guardian_page.content.decode()

    everything = admin.get(person_url(cast.guardian_1) + link)
    assert sections(everything) == EVERY_SECTION
    data = form_data(everything)
    add_row(
        data,
        "teaching_assignments",
        school_class=cast.class_4b,
        subject=cast.maths,
        starts_on=timezone.localdate(),
    )
    response = admin.post(person_url(cast.guardian_1) + link, data)

    assert response.status_code == 302
    assert TeachingAssignment.objects.filter(teacher=cast.guardian_1, school_class=cast.class_4b).exists()
    both = sections(admin.get(person_url(cast.guardian_1)))
    assert both == {"guardianships", "teaching_assignments", "mentorships", "staff_roles"}


def test_a_person_without_memberships_here_gets_every_section(cast: Cast) -> None:
    operator = verified_client(cast.operator)
    newcomer = p.create_person(SYSTEM, username="ny.person", first_name="Ny", last_name="Person")

    assert sections(operator.get(person_url(newcomer))) == EVERY_SECTION
