"""One-time passwords: enrolment, the code step at login, replay, recovery codes, throttling,
turning them off, and default deny before the step is passed."""

from __future__ import annotations

import re
from base64 import b32encode

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions.otp import RECOVERY_CODE_COUNT, pending_totp_device, remaining_recovery_codes
from accounts.models import User
from tests.accounts.flows import (
    Response,
    assert_shows,
    code_for,
    enter_code,
    give_authenticator,
    localised,
    localised_plural,
    log_in,
    member,
    wrong_code_for,
)
from tests.support.cast import STAFF_ROLES, Cast
from tests.support.clients import verified_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

SETUP = reverse("otp-setup")
VERIFY = reverse("otp-verify")
START = reverse("start")
NOT_CORRECT_AT_ENROLMENT = "That code was not correct. Check the time on your phone and try again."
NOT_CORRECT_AT_LOGIN = "That code was not correct or has already been used."
WAIT = (
    "Too many wrong codes. Wait %(seconds)d second and try again.",
    "Too many wrong codes. Wait %(seconds)d seconds and try again.",
)


def code_errors(response: Response) -> list[str]:
    return list(response.context["form"].errors.get("code", []))


def waiting_seconds(message: str) -> int:
    numbers = re.findall(r"\d+", message)
    assert len(numbers) == 1, message
    return int(numbers[0])


def logged_in(user: User) -> Client:
    """A client that has passed the password step only (through the real login form)."""
    client = Client()
    response = log_in(client, user.username)
    assert response.status_code == 302, "password login failed"
    return client


def enrol(client: Client, user: User) -> list[str]:
    """Set up an authenticator through the pages, as a person does; returns the recovery codes."""
    assert client.post(SETUP, {"step": "start"}).status_code == 200
    device = pending_totp_device(user)
    assert device is not None
    response = client.post(SETUP, {"step": "confirm", "code": code_for(device)})
    assert response.status_code == 200, code_errors(response) if response.context else response
    return list(response.context["codes"])


def redirects_to(response: Response, url_name: str) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] == reverse(url_name)


# --- Staff must enrol first: default deny --------------------------------------------------


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_without_authenticator_are_sent_to_enrolment_after_password_login(
    cast: Cast, role: str
) -> None:
    response = log_in(Client(), member(cast, role).username)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"


def test_staff_without_authenticator_can_reach_nothing_but_enrolment(cast: Cast) -> None:
    client = logged_in(cast.teacher)
    student_page = reverse("student", args=[cast.student.pk])
    class_page = reverse("class", args=[cast.class_4a.pk])

    for path in (START, reverse("account"), reverse("password-change"), student_page, class_page, "/admin/"):
        response = client.get(path)
        assert redirects_to(response, "otp-setup"), f"{path} answered {response.status_code}"
    for name in ("logout-everywhere", "otp-recovery-codes", "otp-remove"):
        response = client.post(reverse(name))
        assert redirects_to(response, "otp-setup"), f"{name} answered {response.status_code}"
    assert TOTPDevice.objects.filter(user=cast.teacher).count() == 0
    assert StaticDevice.objects.filter(user=cast.teacher).count() == 0

    assert client.get(SETUP).status_code == 200
    assert redirects_to(client.post(reverse("logout")), "login")


def test_staff_with_authenticator_can_reach_nothing_before_the_code(cast: Cast) -> None:
    give_authenticator(cast.principal)
    client = Client()
    response = log_in(client, cast.principal.username)
    assert response["Location"] == f"{VERIFY}?next=%2F"

    for path in (START, reverse("account"), reverse("school", args=[cast.school.pk]), SETUP):
        response = client.get(path)
        assert redirects_to(response, "otp-verify"), f"{path} answered {response.status_code}"
    assert client.get(VERIFY).status_code == 200


# --- Enrolment -------------------------------------------------------------------------------


def test_enrolment_page_shows_an_svg_qr_code_and_the_secret(cast: Cast) -> None:
    client = logged_in(cast.teacher)

    response = client.post(SETUP, {"step": "start"})

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=cast.teacher)
    assert not device.confirmed
    page = response.content.decode()
    assert "<svg" in page
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
    assert grouped in page
    assert client.get(SETUP).content.decode().count(grouped) == 1


def test_starting_again_replaces_the_unconfirmed_authenticator(cast: Cast) -> None:
    client = logged_in(cast.teacher)
    client.post(SETUP, {"step": "start"})
    first = TOTPDevice.objects.get(user=cast.teacher)

    client.post(SETUP, {"step": "start"})

    second = TOTPDevice.objects.get(user=cast.teacher)
    assert second.pk != first.pk
    assert second.key != first.key


def test_confirming_enrolment_with_the_correct_code_shows_ten_recovery_codes_and_verifies_the_session(
    cast: Cast,
) -> None:
    client = logged_in(cast.teacher)
    client.post(SETUP, {"step": "start"})
    device = TOTPDevice.objects.get(user=cast.teacher)
    session_before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(SETUP, {"step": "confirm", "code": code_for(device)})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    page = response.content.decode()
    assert all(code in page for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert remaining_recovery_codes(cast.teacher) == 10
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != session_before
    assert client.get(START).status_code == 200
    assert client.get(reverse("account")).status_code == 200


def test_enrolment_with_a_wrong_code_is_refused(cast: Cast) -> None:
    client = logged_in(cast.teacher)
    client.post(SETUP, {"step": "start"})
    device = TOTPDevice.objects.get(user=cast.teacher)

    response = client.post(SETUP, {"step": "confirm", "code": wrong_code_for(device)})

    assert response.status_code == 400
    assert code_errors(response) == [localised(response, NOT_CORRECT_AT_ENROLMENT)]
    device.refresh_from_db()
    assert not device.confirmed
    assert StaticDevice.objects.filter(user=cast.teacher).count() == 0
    assert redirects_to(client.get(START), "otp-setup")


def test_confirming_without_starting_is_refused(cast: Cast) -> None:
    client = logged_in(cast.teacher)

    response = client.post(SETUP, {"step": "confirm", "code": "123456"})

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=cast.teacher).count() == 0
    assert redirects_to(client.get(START), "otp-setup")


def test_after_enrolment_the_next_login_asks_for_a_code(cast: Cast) -> None:
    enrol(logged_in(cast.teacher), cast.teacher)
    client = Client()

    response = log_in(client, cast.teacher.username)

    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert redirects_to(client.get(START), "otp-verify")


def test_verified_staff_replacing_their_authenticator_unverifies_sessions_of_the_old_one(cast: Cast) -> None:
    enrol(logged_in(cast.teacher), cast.teacher)
    old = TOTPDevice.objects.get(user=cast.teacher, confirmed=True)
    phone_session = Client()
    log_in(phone_session, cast.teacher.username)
    # The code shown during enrolment is spent; the phone's next code logs in.
    assert redirects_to(enter_code(phone_session, code_for(old, steps_ahead=1)), "start")
    assert phone_session.get(START).status_code == 200
    laptop = Client()
    log_in(laptop, cast.teacher.username)
    enter_code(laptop, StaticToken.objects.filter(device__user=cast.teacher).first().token)
    assert laptop.get(START).status_code == 200

    enrol(laptop, cast.teacher)

    assert TOTPDevice.objects.filter(user=cast.teacher, confirmed=True).exclude(pk=old.pk).count() == 1
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert laptop.get(START).status_code == 200
    assert redirects_to(phone_session.get(START), "otp-verify")


# --- The code step at login ------------------------------------------------------------------


def test_staff_who_have_verified_reach_the_start_page(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    client = Client()
    log_in(client, cast.teacher.username)
    session_before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = enter_code(client, code_for(device))

    assert redirects_to(response, "start")
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != session_before
    start = client.get(START)
    assert start.status_code == 200
    assert start.templates[0].name == "frontend/start.html"


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_every_staff_role_reaches_the_start_page_after_password_and_code(cast: Cast, role: str) -> None:
    person = member(cast, role)
    device = give_authenticator(person)
    client = Client()
    log_in(client, person.username)

    assert redirects_to(enter_code(client, code_for(device)), "start")
    assert client.get(START).status_code == 200


def test_a_wrong_code_at_login_is_refused(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    client = logged_in(cast.teacher)

    response = enter_code(client, wrong_code_for(device))

    assert response.status_code == 400
    assert code_errors(response) == [localised(response, NOT_CORRECT_AT_LOGIN)]
    assert redirects_to(client.get(START), "otp-verify")


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # so that the fresh code right after is tried at all
def test_a_code_used_once_is_refused_when_replayed_at_login(cast: Cast) -> None:
    enrolling = logged_in(cast.teacher)
    enrolling.post(SETUP, {"step": "start"})
    device = TOTPDevice.objects.get(user=cast.teacher)
    used_code = code_for(device)
    assert enrolling.post(SETUP, {"step": "confirm", "code": used_code}).status_code == 200

    attacker = logged_in(cast.teacher)
    replay = enter_code(attacker, used_code)

    assert replay.status_code == 400
    assert code_errors(replay) == [localised(replay, NOT_CORRECT_AT_LOGIN)]
    assert redirects_to(attacker.get(START), "otp-verify")
    # The code of the next period, which the app shows a little later, is accepted.
    assert redirects_to(enter_code(attacker, code_for(device, steps_ahead=1)), "start")


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_a_code_used_at_login_cannot_be_used_for_a_second_login(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    code = code_for(device)
    first = logged_in(cast.teacher)
    assert redirects_to(enter_code(first, code), "start")

    second = logged_in(cast.teacher)
    response = enter_code(second, code)

    assert response.status_code == 400
    assert redirects_to(second.get(START), "otp-verify")


@override_settings(OTP_STATIC_THROTTLE_FACTOR=0)
def test_a_recovery_code_works_once_and_only_once(cast: Cast) -> None:
    codes = enrol(logged_in(cast.teacher), cast.teacher)
    code = codes[3]

    first = logged_in(cast.teacher)
    assert redirects_to(enter_code(first, code.upper()), "start")
    assert first.get(START).status_code == 200
    assert remaining_recovery_codes(cast.teacher) == 9

    second = logged_in(cast.teacher)
    response = enter_code(second, code)
    assert response.status_code == 400
    assert code_errors(response) == [localised(response, NOT_CORRECT_AT_LOGIN)]
    assert redirects_to(second.get(START), "otp-verify")

    assert redirects_to(enter_code(second, codes[4]), "start")
    assert remaining_recovery_codes(cast.teacher) == 8


def test_new_recovery_codes_replace_the_old_ones(cast: Cast) -> None:
    old_codes = enrol(logged_in(cast.teacher), cast.teacher)
    client = logged_in(cast.teacher)
    enter_code(client, old_codes[0])

    response = client.post(reverse("otp-recovery-codes"))

    assert response.status_code == 200
    new_codes = response.context["codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    attempt = logged_in(cast.teacher)
    assert enter_code(attempt, old_codes[1]).status_code == 400


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)
def test_wrong_codes_make_the_next_try_wait_with_a_message_naming_the_seconds(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    client = logged_in(cast.teacher)
    first = enter_code(client, wrong_code_for(device))
    assert code_errors(first) == [localised(first, NOT_CORRECT_AT_LOGIN)]

    response = enter_code(client, code_for(device))  # even the right code is not tried now

    assert response.status_code == 400
    (message,) = code_errors(response)
    seconds = waiting_seconds(message)
    assert 1 <= seconds <= 61
    assert message == localised_plural(response, *WAIT, seconds) % {"seconds": seconds}
    assert_shows(response, message)
    assert redirects_to(client.get(START), "otp-verify")
    device.refresh_from_db()
    assert device.last_t == -1, "the code must not have been consumed while throttled"


@override_settings(OTP_STATIC_THROTTLE_FACTOR=60)
def test_wrong_recovery_codes_are_throttled_too(cast: Cast) -> None:
    codes = enrol(logged_in(cast.teacher), cast.teacher)
    client = logged_in(cast.teacher)
    enter_code(client, "notacode")

    response = enter_code(client, codes[0])

    (message,) = code_errors(response)
    seconds = waiting_seconds(message)
    assert 1 <= seconds <= 61
    assert message == localised_plural(response, *WAIT, seconds) % {"seconds": seconds}
    assert remaining_recovery_codes(cast.teacher) == 10


def test_student_without_authenticator_is_not_asked_for_a_code(cast: Cast) -> None:
    client = Client()

    response = log_in(client, cast.student.username)

    assert response["Location"] == START
    assert client.get(START).status_code == 200
    assert redirects_to(client.get(VERIFY), "start")


# --- Turning one-time passwords on and off ----------------------------------------------------


def test_student_may_turn_one_time_passwords_on_and_off(cast: Cast) -> None:
    client = logged_in(cast.student)
    assert client.get(SETUP).status_code == 200
    codes = enrol(client, cast.student)
    assert len(codes) == 10
    asked = Client()
    assert log_in(asked, cast.student.username)["Location"] == f"{VERIFY}?next=%2F"

    response = client.post(reverse("otp-remove"))

    assert redirects_to(response, "account")
    assert not TOTPDevice.objects.filter(user=cast.student).exists()
    assert not StaticDevice.objects.filter(user=cast.student).exists()
    assert client.get(START).status_code == 200
    not_asked = Client()
    assert log_in(not_asked, cast.student.username)["Location"] == START
    assert not_asked.get(START).status_code == 200


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_may_not_turn_one_time_passwords_off(cast: Cast, role: str) -> None:
    person = member(cast, role)
    client = verified_client(person)
    devices = TOTPDevice.objects.filter(user=person).count()

    response = client.post(reverse("otp-remove"))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=person).count() == devices == 1


def test_removing_is_post_only(cast: Cast) -> None:
    client = verified_client(cast.student)

    assert client.get(reverse("otp-remove")).status_code == 405


# --- Knowing the password is not enough to enrol a new authenticator -------------------------


@pytest.mark.parametrize("role", ["student", "guardian_1", "teacher", "principal"])
def test_password_alone_cannot_enrol_a_new_authenticator_for_an_enrolled_user(cast: Cast, role: str) -> None:
    person = member(cast, role)
    device = give_authenticator(person)
    attacker = logged_in(person)

    assert redirects_to(attacker.get(SETUP), "otp-verify")
    assert redirects_to(attacker.post(SETUP, {"step": "start"}), "otp-verify")
    assert redirects_to(attacker.post(SETUP, {"step": "confirm", "code": "123456"}), "otp-verify")
    assert redirects_to(attacker.post(reverse("otp-recovery-codes")), "otp-verify")
    assert redirects_to(attacker.post(reverse("otp-remove")), "otp-verify")

    assert list(TOTPDevice.objects.filter(user=person).values_list("pk", "confirmed")) == [(device.pk, True)]
    assert not StaticDevice.objects.filter(user=person).exists()
