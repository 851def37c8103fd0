"""The school administration (/admin/): what happens inside the pages, through real requests.

Who may open which admin URL is the access matrix's job (tests/test_access_matrix.py).
These tests post the admin's own forms, as a browser would, and check what is written,
what is refused, and that nothing of another school shows or changes.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.models import (
    Enrolment,
    Guardianship,
    School,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    User,
)
from tests.support.cast import PASSWORD, Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.usefixtures("module_cast")  # one cast per module (tests/conftest.py)

# --- Helpers: the admin's forms as a browser would submit them -----------------------------


def _post_value(bound: forms.BoundField) -> str | list[str] | None:
    """What a browser sends for one field as currently shown (None: nothing is sent)."""
    value = bound.value()
    if isinstance(bound.field.widget, forms.CheckboxInput):
        return "on" if value else None
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _as_post(value: object) -> str:
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def form_data(response: Any) -> dict[str, Any]:
    """The POST data of an admin add or change page with every field as it is shown: the
    main form, each inline's management form and every inline row. Tests then change only
    what they mean to change."""
    assert response.status_code == 200, response.status_code
    page_forms: list[forms.BaseForm] = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        page_forms.append(inline.formset.management_form)
        page_forms.extend(inline.formset.forms)
    data: dict[str, Any] = {"_save": "1"}
    for form in page_forms:
        for bound in form:
            value = _post_value(bound)
            if value is not None:
                data[bound.html_name] = value
    return data


def add_row(data: dict[str, Any], prefix: str, **values: object) -> int:
    """Add a row to an inline (as its "add another" link does); returns the row's index."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = _as_post(value)
    return index


def row_of(data: dict[str, Any], prefix: str, obj: Model) -> int:
    """The index of the inline row showing ``obj``."""
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data.get(f"{prefix}-{index}-id") == str(obj.pk):
            return index
    raise AssertionError(f"{obj!r} is not shown in the inline {prefix}")


def inline_formset(response: Any, prefix: str) -> Any:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return inline.formset
    raise AssertionError(f"no inline with prefix {prefix}")


def error_codes(errors: Any) -> set[str | None]:
    """Codes of a form's or a field's errors (independent of the language shown)."""
    if hasattr(errors, "as_data"):
        data = errors.as_data()
        if isinstance(data, dict):
            return {error.code for field_errors in data.values() for error in field_errors}
        return {error.code for error in data}
    return {error.code for error in errors}


def swedish(message: str) -> str:
    """A message as the admin shows it (Swedish by default, English while the catalogue
    is not compiled)."""
    with translation.override("sv"):
        return escape(gettext(message))


def person_url(person: User, view: str = "change") -> str:
    return reverse(f"admin:accounts_user_{view}", args=[person.pk])


def html(response: Any) -> str:
    return response.content.decode()


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def admin(cast: Cast) -> Client:
    return verified_client(cast.school_admin)


@pytest.fixture
def school_2_family(cast: Cast) -> dict[str, User]:
    """A student of class 5C (school 2) and her guardian, named like people of school 1."""
    start = timezone.localdate() - datetime.timedelta(days=30)
    student = p.create_person(
        SYSTEM, username="alva.andersson", first_name="Alva", last_name="Andersson", password=PASSWORD
    )
    guardian = p.create_person(
        SYSTEM, username="gustav.nilsson", first_name="Gustav", last_name="Nilsson", password=PASSWORD
    )
    m.enrol_student(SYSTEM, student, cast.class_5c, starts_on=start)
    m.add_guardianship(SYSTEM, guardian, student, starts_on=start)
    return {"student": student, "guardian": guardian}


def school_1_people(cast: Cast) -> set[User]:
    """Everyone with a membership, past or present, at school 1."""
    return {
        cast.student,
        cast.guardian_1,
        cast.guardian_2,
        cast.teacher,
        cast.other_teacher,
        cast.principal,
        cast.other_student,
        cast.other_guardian,
        cast.school_admin,
        cast.former_teacher,
        cast.withdrawn_guardian,
        cast.registrar,
        cast.left_student,
    }


# --- The person list -------------------------------------------------------------------------


def test_person_list_shows_exactly_the_people_of_the_administrators_school(
    cast: Cast, admin: Client, school_2_family: dict[str, User]
) -> None:
    p.create_person(SYSTEM, username="utan.skola", first_name="Utan", last_name="Skola")

    response = admin.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
    listed = set(response.context["cl"].result_list)
    assert listed == school_1_people(cast)
    page = html(response)
    for person in school_1_people(cast):
        assert person.username in page
    for username in ("alva.andersson", "gustav.nilsson", "rektor.soder", "operator", "utan.skola"):
        assert username not in page


def test_person_search_finds_matching_people_of_the_school_only(
    cast: Cast, admin: Client, school_2_family: dict[str, User]
) -> None:
    url = reverse("admin:accounts_user_changelist")

    by_last_name = admin.get(url, {"q": "andersson"})
    by_username = admin.get(url, {"q": "lars.lund"})

    assert set(by_last_name.context["cl"].result_list) == {
        cast.student,
        cast.guardian_1,
        cast.withdrawn_guardian,
    }
    assert "alva.andersson" not in html(by_last_name)
    assert list(by_username.context["cl"].result_list) == [cast.teacher]


# --- No leaks across schools -----------------------------------------------------------------


def _seen(response: Any, person_id: int) -> tuple[int, str | None, list[str], str]:
    """Everything a visitor learns from a response, with the asked-for id blanked out."""
    messages = [
        str(message).replace(str(person_id), "<id>") for message in get_messages(response.wsgi_request)
    ]
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html(response))
    return (
        response.status_code,
        response.get("Location"),
        messages,
        body.replace(str(person_id), "<id>"),
    )


@pytest.mark.parametrize(
    ("method", "view"),
    [
        ("get", "change"),
        ("post", "change"),
        ("get", "history"),
        ("get", "password"),
        ("post", "password"),
    ],
)
def test_person_of_another_school_looks_exactly_like_a_missing_id(cast: Cast, method: str, view: str) -> None:
    outsider = cast.other_principal
    missing_id = User.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    data = {"username": "kapad", "first_name": "X", "last_name": "Y", "language": "sv", "is_active": "on"}
    data |= {"new_password1": "en helt ny lång fras", "new_password2": "en helt ny lång fras"}
    password_before = outsider.password

    def ask(person_id: int) -> Any:
        # A fresh session each time, so that no message of the first visit shows in the second.
        admin = verified_client(cast.school_admin)
        url = reverse(f"admin:accounts_user_{view}", args=[person_id])
        return getattr(admin, method)(url, data if method == "post" else None)

    for_outsider = _seen(ask(outsider.pk), outsider.pk)
    for_missing = _seen(ask(missing_id), missing_id)

    assert for_outsider == for_missing
    assert for_outsider[0] in (302, 404)
    assert "Söder" not in for_outsider[3]
    assert "rektor.soder" not in for_outsider[3]
    outsider.refresh_from_db()
    assert (outsider.username, outsider.first_name, outsider.password) == (
        "rektor.soder",
        "Sven",
        password_before,
    )


# --- Adding people with memberships ----------------------------------------------------------


def test_new_student_is_created_with_an_enrolment_in_one_post(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(reverse("admin:accounts_user_add")))
    data |= {"username": "  Nils.Nyberg ", "first_name": "Nils", "last_name": "Nyberg", "language": "sv"}
    add_row(data, "enrolments", school_class=cast.class_4a, starts_on=timezone.localdate())

    response = admin.post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    person = User.objects.get(first_name="Nils", last_name="Nyberg")
    assert person.username == "nils.nyberg"
    assert not person.has_usable_password()
    enrolment = Enrolment.objects.get(student=person)
    assert enrolment.school_class == cast.class_4a
    assert enrolment.starts_on == timezone.localdate()
    assert enrolment.ends_on is None
    assert enrolment.created_by == cast.school_admin
    # The new student is now one of the school's people: the administrator can open them.
    assert admin.get(person_url(person)).status_code == 200


def test_new_person_cannot_log_in_before_a_password_is_set(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(reverse("admin:accounts_user_add")))
    data |= {"username": "nils.nyberg", "first_name": "Nils", "last_name": "Nyberg", "language": "sv"}
    add_row(data, "enrolments", school_class=cast.class_4a, starts_on=timezone.localdate())
    assert admin.post(reverse("admin:accounts_user_add"), data).status_code == 302

    for password in ("", "!", PASSWORD):
        response = Client().post(reverse("login"), {"username": "nils.nyberg", "password": password})
        assert response.status_code in (200, 400)
        assert "_auth_user_id" not in response.wsgi_request.session


def test_new_person_without_a_membership_at_the_school_is_refused(cast: Cast, admin: Client) -> None:
    """Without a membership the administrator could never reach the person again."""
    data = form_data(admin.get(reverse("admin:accounts_user_add")))
    data |= {"username": "ensam.person", "first_name": "Ensam", "last_name": "Person", "language": "sv"}

    response = admin.post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 200
    assert "no_school_link" in error_codes(response.context["adminform"].form.non_field_errors())
    assert not User.objects.filter(username="ensam.person").exists()


def test_operator_may_create_a_person_without_memberships(cast: Cast) -> None:
    operator = verified_client(cast.operator)
    data = form_data(operator.get(reverse("admin:accounts_user_add")))
    data |= {"username": "ny.operator", "first_name": "Ny", "last_name": "Operatör", "language": "sv"}
    assert operator.post(reverse("admin:accounts_user_add"), data).status_code == 302
    assert User.objects.filter(username="ny.operator").exists()


def test_school_administrator_cannot_reach_a_platform_operator_with_a_membership(
    cast: Cast, admin: Client
) -> None:
    m.enrol_student(SYSTEM, cast.operator, cast.class_4a)  # even tied to the school
    assert cast.operator not in policy.administered_people(cast.school_admin)
    missing = admin.get(person_url(cast.operator, "password"))
    assert missing.status_code == 404


def test_username_differing_only_in_case_is_refused_with_a_form_error(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(reverse("admin:accounts_user_add")))
    data |= {"username": "Anna.Andersson", "first_name": "Anna", "last_name": "Annan", "language": "sv"}
    add_row(data, "enrolments", school_class=cast.class_4b, starts_on=timezone.localdate())

    response = admin.post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"]
    assert swedish("That username is already taken.") in html(response)
    assert not User.objects.filter(last_name="Annan").exists()
    assert Enrolment.objects.filter(school_class=cast.class_4b).count() == 1


def test_class_choices_in_inlines_are_the_administrators_classes_only(cast: Cast, admin: Client) -> None:
    # Every section, as the page's link to add another kind of membership shows them.
    response = admin.get(person_url(cast.teacher) + "?all_memberships=1")

    for prefix in ("enrolments", "teaching_assignments", "mentorships"):
        field = inline_formset(response, prefix).empty_form.fields["school_class"]
        assert set(field.queryset) == {cast.class_4a, cast.class_4b}, prefix
    staff_schools = inline_formset(response, "staff_roles").empty_form.fields["school"].queryset
    assert list(staff_schools) == [cast.school]
    # By name: the class's id can equal a subject's (both lists are on the page).
    assert f">{cast.class_5c.name}</option>" not in html(response)


def test_enrolment_in_a_class_of_another_school_is_refused_and_nothing_is_written(
    cast: Cast, admin: Client
) -> None:
    data = form_data(admin.get(reverse("admin:accounts_user_add")))
    data |= {"username": "nils.nyberg", "first_name": "Nils", "last_name": "Nyberg", "language": "sv"}
    index = add_row(data, "enrolments", school_class=cast.class_5c, starts_on=timezone.localdate())

    response = admin.post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 200
    errors = inline_formset(response, "enrolments").errors[index]
    assert error_codes(errors["school_class"]) == {"invalid_choice"}
    assert not User.objects.filter(username="nils.nyberg").exists()
    assert not Enrolment.objects.filter(school_class=cast.class_5c).exists()


def test_enrolling_an_existing_student_in_another_schools_class_changes_nothing(
    cast: Cast, admin: Client
) -> None:
    data = form_data(admin.get(person_url(cast.student)))
    add_row(data, "enrolments", school_class=cast.class_5c, starts_on=timezone.localdate())

    response = admin.post(person_url(cast.student), data)

    assert response.status_code == 200
    assert error_codes(inline_formset(response, "enrolments").errors[-1]["school_class"]) == {
        "invalid_choice"
    }
    assert list(Enrolment.objects.filter(student=cast.student).values_list("school_class", flat=True)) == [
        cast.class_4a.pk
    ]


# --- Guardianships ---------------------------------------------------------------------------


def test_administrator_adds_a_guardian_to_a_student_of_the_school(cast: Cast, admin: Client) -> None:
    # A step-parent who is already known to the school (guardian of a 4B student).
    data = form_data(admin.get(person_url(cast.student)))
    add_row(data, "guardians_of", guardian=cast.other_guardian, starts_on=timezone.localdate())

    response = admin.post(person_url(cast.student), data)

    assert response.status_code == 302
    guardianship = Guardianship.objects.get(student=cast.student, guardian=cast.other_guardian)
    assert guardianship.is_active()
    assert guardianship.created_by == cast.school_admin
    guardian = Client()
    guardian.force_login(cast.other_guardian)
    assert guardian.get(reverse("student", args=[cast.student.pk])).status_code == 200


def test_new_guardian_is_created_together_with_the_guardianship(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(reverse("admin:accounts_user_add")))
    data |= {"username": "Eva.Andersson", "first_name": "Eva", "last_name": "Andersson", "language": "sv"}
    add_row(data, "guardianships", student=cast.student, starts_on=timezone.localdate())

    response = admin.post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 302
    guardian = User.objects.get(username="eva.andersson")
    assert Guardianship.objects.get(guardian=guardian).student == cast.student


def test_guardian_autocomplete_offers_only_people_of_the_administrators_school(
    cast: Cast, admin: Client, school_2_family: dict[str, User]
) -> None:
    url = reverse("admin:autocomplete")
    query = {
        "app_label": "accounts",
        "model_name": "guardianship",
        "field_name": "guardian",
        "term": "nilsson",
    }

    for_admin = admin.get(url, query).json()
    for_operator = verified_client(cast.operator).get(url, query).json()

    offered = {int(result["id"]) for result in for_admin["results"]}
    assert offered == {cast.other_student.pk, cast.other_guardian.pk}
    # The same term does find the school-2 guardian where everyone is administered.
    assert school_2_family["guardian"].pk in {int(result["id"]) for result in for_operator["results"]}
    assert "Gustav" not in str(for_admin)


def test_guardian_from_another_school_cannot_be_posted(
    cast: Cast, admin: Client, school_2_family: dict[str, User]
) -> None:
    data = form_data(admin.get(person_url(cast.student)))
    index = add_row(
        data, "guardians_of", guardian=school_2_family["guardian"], starts_on=timezone.localdate()
    )

    response = admin.post(person_url(cast.student), data)

    assert response.status_code == 200
    errors = inline_formset(response, "guardians_of").errors[index]
    assert error_codes(errors["guardian"]) == {"invalid_choice"}
    assert not Guardianship.objects.filter(
        guardian=school_2_family["guardian"], student=cast.student
    ).exists()


# --- Ending memberships ----------------------------------------------------------------------


def test_ending_a_teaching_assignment_removes_the_teachers_access_at_once(cast: Cast, admin: Client) -> None:
    teacher = verified_client(cast.other_teacher)
    page = reverse("student", args=[cast.other_student.pk])
    assert teacher.get(page).status_code == 200
    assignment = TeachingAssignment.objects.get(teacher=cast.other_teacher)
    today = timezone.localdate()

    data = form_data(admin.get(person_url(cast.other_teacher)))
    index = row_of(data, "teaching_assignments", assignment)
    data[f"teaching_assignments-{index}-ends_on"] = today.isoformat()
    data[f"teaching_assignments-{index}-end_reason"] = "Byter skola"
    response = admin.post(person_url(cast.other_teacher), data)

    assert response.status_code == 302
    assert teacher.get(page).status_code == 404
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.end_reason) == (today, "Byter skola")
    assert assignment.created_by is None  # still the original row, not a replacement


def test_overlapping_duplicate_membership_is_refused_with_a_readable_error(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(person_url(cast.student)))
    index = add_row(data, "enrolments", school_class=cast.class_4a, starts_on=timezone.localdate())

    response = admin.post(person_url(cast.student), data)

    assert response.status_code == 200
    assert inline_formset(response, "enrolments").errors[index]["__all__"]
    assert swedish("This membership already exists for some of these dates.") in html(response)
    assert Enrolment.objects.filter(student=cast.student).count() == 1


def test_the_same_membership_twice_in_one_post_is_refused_with_a_readable_error(
    cast: Cast, admin: Client
) -> None:
    data = form_data(admin.get(person_url(cast.other_teacher)))
    for _ in range(2):
        add_row(data, "mentorships", school_class=cast.class_4b, starts_on=timezone.localdate())

    response = admin.post(person_url(cast.other_teacher), data)

    assert response.status_code == 200
    assert swedish("This membership already exists for some of these dates.") in html(response)
    assert not cast.other_teacher.mentorships.exists()


def test_membership_withdrawn_on_its_first_day_does_not_count_as_overlap(cast: Cast, admin: Client) -> None:
    today = timezone.localdate()
    data = form_data(admin.get(person_url(cast.other_teacher)))
    add_row(data, "mentorships", school_class=cast.class_4b, starts_on=today, ends_on=today)
    add_row(data, "mentorships", school_class=cast.class_4b, starts_on=today)

    response = admin.post(person_url(cast.other_teacher), data)

    assert response.status_code == 302
    assert cast.other_teacher.mentorships.count() == 2


# --- Nothing is deleted ----------------------------------------------------------------------


def test_delete_urls_refuse_even_a_confirmed_post(cast: Cast, admin: Client) -> None:
    for url in (
        person_url(cast.student, "delete"),
        reverse("admin:accounts_schoolclass_delete", args=[cast.class_4a.pk]),
        reverse("admin:accounts_school_delete", args=[cast.school.pk]),
    ):
        assert admin.post(url, {"post": "yes"}).status_code == 403, url
    assert User.objects.filter(pk=cast.student.pk).exists()
    assert SchoolClass.objects.filter(pk=cast.class_4a.pk).exists()
    assert School.objects.filter(pk=cast.school.pk).exists()


def test_person_page_offers_no_way_to_delete(cast: Cast, admin: Client) -> None:
    response = admin.get(person_url(cast.student))

    page = html(response)
    assert "-DELETE" not in page
    assert "deletelink" not in page
    assert person_url(cast.student, "delete") not in page
    assert all(not inline.formset.can_delete for inline in response.context["inline_admin_formsets"])


def test_posting_a_delete_flag_in_an_inline_removes_nothing(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(person_url(cast.student)))
    data["enrolments-0-DELETE"] = "on"
    data["guardians_of-0-DELETE"] = "on"

    response = admin.post(person_url(cast.student), data)

    assert response.status_code == 302
    assert Enrolment.objects.filter(student=cast.student).count() == 1
    assert Guardianship.objects.filter(student=cast.student).count() == 3


# --- Setting passwords -----------------------------------------------------------------------


def _set_password(admin: Client, person: User, password: str) -> Any:
    return admin.post(person_url(person, "password"), {"new_password1": password, "new_password2": password})


def test_set_password_lets_the_person_log_in_with_the_new_password(cast: Cast, admin: Client) -> None:
    new_password = "blå lastbil över fjället"

    response = _set_password(admin, cast.student, new_password)

    assert response.status_code == 302
    assert response["Location"] == person_url(cast.student)
    login = Client().post(reverse("login"), {"username": "Anna.Andersson", "password": new_password})
    assert login.status_code == 302
    assert login.wsgi_request.session["_auth_user_id"] == str(cast.student.pk)
    old = Client().post(reverse("login"), {"username": "anna.andersson", "password": PASSWORD})
    assert "_auth_user_id" not in old.wsgi_request.session


def test_set_password_gives_a_new_person_their_first_usable_password(cast: Cast, admin: Client) -> None:
    person = p.create_person(SYSTEM, username="ny.elev", first_name="Ny", last_name="Elev")
    m.enrol_student(SYSTEM, person, cast.class_4b)
    assert not person.has_usable_password()

    assert _set_password(admin, person, "tre gröna äpplen i korgen").status_code == 302

    person.refresh_from_db()
    assert person.check_password("tre gröna äpplen i korgen")


def test_set_password_refuses_a_common_password(cast: Cast, admin: Client) -> None:
    response = _set_password(admin, cast.student, "Sommar2024!")

    assert response.status_code == 200
    assert "password_too_common" in error_codes(response.context["form"].errors["new_password2"])
    assert swedish("This password is too common: it appears in lists that attackers try first.") in html(
        response
    )
    cast.student.refresh_from_db()
    assert cast.student.check_password(PASSWORD)


def test_set_password_ends_the_persons_existing_sessions(cast: Cast, admin: Client) -> None:
    student = Client()
    assert (
        student.post(reverse("login"), {"username": "anna.andersson", "password": PASSWORD}).status_code
        == 302
    )
    page = reverse("student", args=[cast.student.pk])
    assert student.get(page).status_code == 200

    assert _set_password(admin, cast.student, "blå lastbil över fjället").status_code == 302

    response = student.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The administrator's own session is untouched.
    assert admin.get(person_url(cast.student)).status_code == 200


# --- Classes and schools ---------------------------------------------------------------------


def test_class_form_offers_only_the_administrators_school(cast: Cast, admin: Client) -> None:
    response = admin.get(reverse("admin:accounts_schoolclass_add"))

    assert list(response.context["adminform"].form.fields["school"].queryset) == [cast.school]


def test_class_for_another_school_is_refused(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(reverse("admin:accounts_schoolclass_add")))
    data |= {
        "school": cast.other_school.pk,
        "school_year": SchoolYear.objects.get().pk,
        "name": "5D",
        "grade": 5,
    }

    response = admin.post(reverse("admin:accounts_schoolclass_add"), data)

    assert response.status_code == 200
    assert error_codes(response.context["adminform"].form.errors["school"]) == {"invalid_choice"}
    assert not SchoolClass.objects.filter(name="5D").exists()


def test_class_for_the_administrators_school_is_added(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(reverse("admin:accounts_schoolclass_add")))
    data |= {"school": cast.school.pk, "school_year": SchoolYear.objects.get().pk, "name": "4C", "grade": 4}

    response = admin.post(reverse("admin:accounts_schoolclass_add"), data)

    assert response.status_code == 302
    assert SchoolClass.objects.get(name="4C").school == cast.school


def test_moving_a_class_to_another_school_is_refused(cast: Cast, admin: Client) -> None:
    url = reverse("admin:accounts_schoolclass_change", args=[cast.class_4b.pk])
    data = form_data(admin.get(url)) | {"school": cast.other_school.pk}

    response = admin.post(url, data)

    assert response.status_code == 200
    cast.class_4b.refresh_from_db()
    assert cast.class_4b.school == cast.school


def test_operator_adds_a_school(cast: Cast) -> None:
    operator = verified_client(cast.operator)
    data = form_data(operator.get(reverse("admin:accounts_school_add")))
    data |= {"name": "Västerskolan", "municipality": "Umeå kommun"}

    response = operator.post(reverse("admin:accounts_school_add"), data)

    assert response.status_code == 302
    assert School.objects.get(name="Västerskolan").municipality == "Umeå kommun"


def test_school_administrator_cannot_add_a_school(cast: Cast, admin: Client) -> None:
    response = admin.post(
        reverse("admin:accounts_school_add"), {"name": "Västerskolan", "municipality": "Umeå kommun"}
    )

    assert response.status_code == 403
    assert not School.objects.filter(name="Västerskolan").exists()
    assert reverse("admin:accounts_school_add") not in html(admin.get(reverse("admin:index")))


# --- Language --------------------------------------------------------------------------------


def _project_catalogue_compiled() -> bool:
    return any(Path(path, "sv", "LC_MESSAGES", "django.mo").exists() for path in settings.LOCALE_PATHS)


def test_admin_pages_are_in_swedish_by_default(cast: Cast, admin: Client) -> None:
    response = admin.get(reverse("admin:index"))

    page = html(response)
    assert '<html lang="sv"' in page
    # Django's own admin catalogue (always compiled).
    for text in ("Välkommen", "Logga ut", "Lägg till", "Ändra"):
        assert text in page, text
    assert "Log out" not in page
    if _project_catalogue_compiled():  # build output of `make translations`
        assert "Personer" in page
