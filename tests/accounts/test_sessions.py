"""Ending sessions: changing one's password, "log out everywhere", an administrator setting
a new password."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from accounts.actions.people import set_password_for
from accounts.models import LoginAttempt, User
from tests.accounts.flows import (
    Response,
    assert_shows,
    code_for,
    enter_code,
    give_authenticator,
    localised,
    log_in,
    member,
)
from tests.support.cast import PASSWORD, Cast
from tests.support.clients import verified_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

START = reverse("start")
NEW_PASSWORD = "a brand new phrase for spring"
WRONG_CURRENT = "Your current password was not correct."
TOO_COMMON = "This password is too common: it appears in lists that attackers try first."


def change_password(client: Client, current: str, new: str, again: str | None = None) -> Response:
    return client.post(
        reverse("password-change"),
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def is_logged_in(client: Client) -> bool:
    response = client.get(START)
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == reverse("login"), response["Location"]
    return False


def password_still_works(user: User, password: str) -> bool:
    user.refresh_from_db()
    return user.check_password(password)


# --- Changing one's own password -------------------------------------------------------------


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_changing_the_password_ends_every_other_session_but_keeps_the_current_one(
    cast: Cast, role: str
) -> None:
    person = member(cast, role)
    current = verified_client(person)
    other_device = verified_client(person)
    assert is_logged_in(current)
    assert is_logged_in(other_device)

    response = change_password(current, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    assert is_logged_in(current), "the session that changed the password continues (still verified)"
    assert not is_logged_in(other_device)
    assert password_still_works(person, NEW_PASSWORD)
    assert not password_still_works(person, PASSWORD)


def test_after_a_password_change_only_the_new_password_logs_in(cast: Cast) -> None:
    change_password(verified_client(cast.student), PASSWORD, NEW_PASSWORD)

    old = log_in(Client(), cast.student.username, PASSWORD)
    new_client = Client()
    new = log_in(new_client, cast.student.username, NEW_PASSWORD)

    assert old.status_code == 400
    assert new.status_code == 302
    assert is_logged_in(new_client)


def test_password_change_keeps_a_real_login_with_code_going(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    client = Client()
    log_in(client, cast.teacher.username)
    enter_code(client, code_for(device))
    other = Client()
    log_in(other, cast.teacher.username)
    enter_code(other, code_for(device, steps_ahead=1))
    assert is_logged_in(client)
    assert is_logged_in(other)

    change_password(client, PASSWORD, NEW_PASSWORD)

    assert is_logged_in(client)
    assert not is_logged_in(other)


def test_wrong_current_password_is_refused_with_the_field_error(cast: Cast) -> None:
    client = verified_client(cast.student)
    other_device = verified_client(cast.student)

    response = change_password(client, "not my password at all", NEW_PASSWORD)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["current_password"] == [localised(response, WRONG_CURRENT)]
    assert "new_password" not in form.errors
    assert_shows(response, localised(response, WRONG_CURRENT))
    assert password_still_works(cast.student, PASSWORD)
    assert is_logged_in(client)
    assert is_logged_in(other_device)


def test_guessing_the_current_password_is_throttled_like_logging_in(cast: Cast) -> None:
    """A borrowed session must not allow unlimited guesses at the password (which would let
    the borrower change it and take the account)."""
    client = verified_client(cast.student)
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        change_password(client, "not my password at all", NEW_PASSWORD)
    assert LoginAttempt.objects.filter(username=cast.student.username, succeeded=False).count() == 5

    response = change_password(client, PASSWORD, NEW_PASSWORD)  # even the right one, now

    assert response.status_code == 400
    assert response.context["form"].errors["current_password"] == [
        localised(response, "Too many wrong passwords. Wait a while and try again.")
    ]
    assert password_still_works(cast.student, PASSWORD)
    blocked_login = log_in(Client(), cast.student.username)
    assert "_auth_user_id" not in blocked_login.wsgi_request.session


@pytest.mark.parametrize("new", ["password", "Sommar2024!", "qwerty123"])
def test_a_too_common_new_password_is_refused(cast: Cast, new: str) -> None:
    client = verified_client(cast.student)
    other_device = verified_client(cast.student)

    response = change_password(client, PASSWORD, new)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert localised(response, TOO_COMMON) in errors["new_password"]
    assert "current_password" not in errors
    assert password_still_works(cast.student, PASSWORD)
    assert is_logged_in(other_device)


def test_a_too_short_new_password_is_refused(cast: Cast) -> None:
    response = change_password(verified_client(cast.student), PASSWORD, "x7#kQ2")

    assert response.status_code == 400
    assert response.context["form"].errors["new_password"]
    assert password_still_works(cast.student, PASSWORD)


def test_a_new_password_like_the_username_is_refused(cast: Cast) -> None:
    response = change_password(verified_client(cast.student), PASSWORD, cast.student.username)

    assert response.status_code == 400
    assert response.context["form"].errors["new_password"]
    assert password_still_works(cast.student, PASSWORD)


def test_the_two_new_passwords_must_match(cast: Cast) -> None:
    response = change_password(verified_client(cast.student), PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")

    assert response.status_code == 400
    assert response.context["form"].errors["new_password_again"]
    assert password_still_works(cast.student, PASSWORD)


# --- Log out everywhere ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["guardian_1", "principal"])
def test_log_out_everywhere_ends_every_session_including_the_current_one(cast: Cast, role: str) -> None:
    person = member(cast, role)
    current = verified_client(person)
    other_device = verified_client(person)
    generation = person.session_generation
    current_key = current.cookies[settings.SESSION_COOKIE_NAME].value

    response = current.post(reverse("logout-everywhere"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not SessionStore().exists(current_key), "the current session is flushed on the server"
    assert not is_logged_in(current)
    assert not is_logged_in(other_device)
    person.refresh_from_db()
    assert person.session_generation == generation + 1
    assert password_still_works(person, PASSWORD), "the password itself is unchanged"


def test_log_out_everywhere_does_not_touch_other_people(cast: Cast) -> None:
    student = verified_client(cast.student)
    guardian = verified_client(cast.guardian_1)

    student.post(reverse("logout-everywhere"))

    assert is_logged_in(guardian)


def test_after_log_out_everywhere_logging_in_again_works(cast: Cast) -> None:
    verified_client(cast.student).post(reverse("logout-everywhere"))
    client = Client()

    assert log_in(client, cast.student.username).status_code == 302
    assert is_logged_in(client)


def test_log_out_everywhere_is_post_only(cast: Cast) -> None:
    client = verified_client(cast.student)

    assert client.get(reverse("logout-everywhere")).status_code == 405
    assert is_logged_in(client)


# --- An administrator sets a new password -----------------------------------------------------------


def test_an_administrator_setting_someones_password_ends_that_persons_sessions(cast: Cast) -> None:
    student = verified_client(cast.student)
    admin = verified_client(cast.school_admin)
    guardian = verified_client(cast.guardian_1)

    set_password_for(cast.school_admin, cast.student, NEW_PASSWORD)

    assert not is_logged_in(student)
    assert is_logged_in(admin)
    assert is_logged_in(guardian)
    client = Client()
    assert log_in(client, cast.student.username, NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)
