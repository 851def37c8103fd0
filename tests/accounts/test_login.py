"""Password login through POST /login/: session rotation, throttling, logout, ``next``."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format

from accounts.models import LoginAttempt
from tests.accounts.flows import (
    Response,
    assert_shows,
    code_for,
    enter_code,
    give_authenticator,
    localised,
    log_in,
)
from tests.support.cast import PASSWORD, Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

WRONG = "not the right password at all"
GENERIC_FAILURE = "The username or password was not correct."
BLOCKED = (
    "Too many failed attempts for this username. For your security, logging in to this "
    "account is paused until %(until)s, from every device. Ask your school if you have "
    "forgotten your password."
)
ADDRESS_BLOCKED = (
    "Too many failed logins from your network address. For your security, every login "
    "from this address is paused until %(until)s, whichever account it is for. "
    "Ask your school if you need help."
)
OTHER_ADDRESS = "198.51.100.7"


def non_field_errors(response: Response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def until_text(response: Response, until: datetime.datetime) -> str:
    """How the message names the end of a block: the local time today, with the date when
    the block ends another day (near midnight)."""
    until = timezone.localtime(until)
    language = getattr(response.wsgi_request, "LANGUAGE_CODE", None) or translation.get_language()
    with translation.override(language):
        time = time_format(until, "H:i")
        if until.date() == timezone.localdate():
            return translation.pgettext("login paused until", "%(time)s") % {"time": time}
        return translation.pgettext("login paused until", "%(date)s, %(time)s") % {
            "date": date_format(until, "j F"),
            "time": time,
        }


def blocked_message(response: Response, username: str) -> str:
    """The block message naming the time the oldest counted failure leaves the window."""
    window = datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(username=username, succeeded=False).order_by("-at")
    oldest_counted = list(failures.values_list("at", flat=True)[: settings.LOGIN_FAILURE_LIMIT])[-1]
    return localised(response, BLOCKED) % {"until": until_text(response, oldest_counted + window)}


def fail_until_blocked(username: str, **extra: str) -> Response:
    response = None
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = log_in(Client(), username, WRONG, **extra)
    assert response is not None
    return response


def move_attempts_back(seconds: int) -> None:
    LoginAttempt.objects.update(at=timezone.now() - datetime.timedelta(seconds=seconds))


# --- Success -------------------------------------------------------------------------------


def test_successful_login_rotates_the_session_key(cast: Cast) -> None:
    client = Client()
    anonymous_session = client.session
    anonymous_session["seen_the_login_page"] = True
    anonymous_session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = log_in(client, cast.student.username)

    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before), "the pre-login session must be gone from the server"
    assert logged_in_user_id(client) == str(cast.student.pk)


def test_successful_login_records_a_succeeded_attempt_and_opens_the_start_page(cast: Cast) -> None:
    client = Client()

    response = log_in(client, cast.student.username)

    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    attempt = LoginAttempt.objects.get()
    assert (attempt.username, attempt.address, attempt.succeeded) == (
        cast.student.username,
        "127.0.0.1",
        True,
    )
    assert client.get(reverse("start")).status_code == 200


@pytest.mark.parametrize("typed", ["Anna.Andersson", "ANNA.ANDERSSON", "  anna.andersson "])
def test_username_is_case_insensitive(cast: Cast, typed: str) -> None:
    client = Client()

    response = log_in(client, typed)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(cast.student.pk)


# --- Failure ---------------------------------------------------------------------------------


def test_wrong_password_gives_the_generic_message_with_status_400_and_is_recorded(cast: Cast) -> None:
    client = Client()

    response = log_in(client, "Anna.Andersson", WRONG)

    assert response.status_code == 400
    assert non_field_errors(response) == [localised(response, GENERIC_FAILURE)]
    assert_shows(response, localised(response, GENERIC_FAILURE))
    assert logged_in_user_id(client) is None
    attempt = LoginAttempt.objects.get()
    assert (attempt.username, attempt.address, attempt.succeeded) == ("anna.andersson", "127.0.0.1", False)


def test_wrong_password_response_never_contains_the_password(cast: Cast) -> None:
    response = log_in(Client(), cast.student.username, WRONG)

    assert WRONG not in response.content.decode()


def test_failures_below_the_limit_do_not_block(cast: Cast) -> None:
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = log_in(Client(), cast.student.username, WRONG)
        assert non_field_errors(response) == [localised(response, GENERIC_FAILURE)]

    client = Client()
    assert log_in(client, cast.student.username).status_code == 302
    assert logged_in_user_id(client) == str(cast.student.pk)


def test_fifth_failed_login_blocks_the_username_with_a_clear_message_naming_the_time(cast: Cast) -> None:
    response = fail_until_blocked(cast.student.username)

    assert response.status_code == 400
    message = blocked_message(response, cast.student.username)
    assert non_field_errors(response) == [message]
    assert_shows(response, message)


def test_blocked_username_is_refused_even_with_the_right_password(cast: Cast) -> None:
    fail_until_blocked(cast.student.username)
    client = Client()

    response = log_in(client, cast.student.username)

    assert response.status_code == 400
    assert non_field_errors(response) == [blocked_message(response, cast.student.username)]
    assert logged_in_user_id(client) is None


def test_attempts_while_blocked_are_not_recorded_and_do_not_extend_the_block(cast: Cast) -> None:
    fail_until_blocked(cast.student.username)
    recorded = LoginAttempt.objects.count()
    first_message = blocked_message(log_in(Client(), cast.student.username, WRONG), cast.student.username)

    for password in (WRONG, "another guess here", PASSWORD):
        response = log_in(Client(), cast.student.username, password)
        assert non_field_errors(response) == [first_message]
    assert LoginAttempt.objects.count() == recorded

    # The block ends when the recorded failures leave the window: hammering did not extend it.
    move_attempts_back(settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    client = Client()
    assert log_in(client, cast.student.username).status_code == 302
    assert logged_in_user_id(client) == str(cast.student.pk)


def test_block_lifts_after_the_window(cast: Cast) -> None:
    fail_until_blocked(cast.student.username)
    move_attempts_back(settings.LOGIN_FAILURE_WINDOW_SECONDS - 30)
    still_blocked = log_in(Client(), cast.student.username)
    assert still_blocked.status_code == 400
    assert non_field_errors(still_blocked) == [blocked_message(still_blocked, cast.student.username)]

    move_attempts_back(settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    client = Client()
    response = log_in(client, cast.student.username)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(cast.student.pk)


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_FAILURE_WINDOW_SECONDS=15 * 60)
def test_block_lasts_until_the_oldest_counted_failure_leaves_the_window(cast: Cast) -> None:
    fail_until_blocked(cast.student.username)
    now = timezone.now()
    minutes_ago = [10, 8, 6, 4, 2]
    for attempt, minutes in zip(LoginAttempt.objects.order_by("at"), minutes_ago, strict=True):
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=now - datetime.timedelta(minutes=minutes))

    response = log_in(Client(), cast.student.username)

    until = now + datetime.timedelta(minutes=15 - 10)
    expected = localised(response, BLOCKED) % {"until": until_text(response, until)}
    assert non_field_errors(response) == [expected]


def test_block_of_one_username_does_not_affect_another(cast: Cast) -> None:
    fail_until_blocked(cast.student.username)
    client = Client()

    response = log_in(client, cast.guardian_1.username)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(cast.guardian_1.pk)


def test_a_success_resets_the_username_count(cast: Cast) -> None:
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(Client(), cast.student.username, WRONG)
    assert log_in(Client(), cast.student.username).status_code == 302
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = log_in(Client(), cast.student.username, WRONG)
        assert non_field_errors(response) == [localised(response, GENERIC_FAILURE)]

    client = Client()
    assert log_in(client, cast.student.username).status_code == 302
    assert logged_in_user_id(client) == str(cast.student.pk)


def test_unknown_username_gets_the_same_generic_message_as_a_wrong_password(cast: Cast) -> None:
    known = log_in(Client(), cast.student.username, WRONG)
    unknown = log_in(Client(), "nobody.here", WRONG)

    assert unknown.status_code == known.status_code == 400
    assert non_field_errors(unknown) == non_field_errors(known) == [localised(unknown, GENERIC_FAILURE)]
    assert LoginAttempt.objects.filter(username="nobody.here", succeeded=False).count() == 1


def test_unknown_usernames_are_throttled_the_same_way_as_real_ones(cast: Cast) -> None:
    real = fail_until_blocked(cast.student.username)
    unknown = fail_until_blocked("Nobody.Here")

    assert unknown.status_code == real.status_code == 400
    assert non_field_errors(unknown) == [blocked_message(unknown, "nobody.here")]
    assert non_field_errors(real) == [blocked_message(real, cast.student.username)]
    recorded = LoginAttempt.objects.count()
    assert non_field_errors(log_in(Client(), "nobody.here", WRONG)) == [
        blocked_message(unknown, "nobody.here")
    ]
    assert LoginAttempt.objects.count() == recorded


def test_a_username_that_grows_when_lower_cased_is_refused_and_throttled_like_any_other(cast: Cast) -> None:
    typed = "İ" * 150  # the form's maximum; lower-cased it is 300 characters long
    first = log_in(Client(), typed, WRONG)

    assert first.status_code == 400
    assert non_field_errors(first) == [localised(first, GENERIC_FAILURE)]
    (attempt,) = LoginAttempt.objects.all()
    assert not attempt.succeeded
    assert len(attempt.username) <= 150

    last = fail_until_blocked(typed)
    (message,) = non_field_errors(last)
    assert message == blocked_message(last, attempt.username)


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_too_many_failures_from_one_address_block_every_username_from_that_address(cast: Cast) -> None:
    for username in ("guess.one", "guess.two", "guess.three"):
        response = log_in(Client(), username, WRONG)
    assert response.status_code == 400

    same_address = Client()
    blocked = log_in(same_address, cast.student.username)
    assert blocked.status_code == 400
    assert logged_in_user_id(same_address) is None
    (message,) = non_field_errors(blocked)
    assert message != localised(blocked, GENERIC_FAILURE)
    assert message.startswith(localised(blocked, ADDRESS_BLOCKED).split("%(until)s")[0])

    other_address = Client(REMOTE_ADDR=OTHER_ADDRESS)
    assert log_in(other_address, cast.student.username).status_code == 302
    assert logged_in_user_id(other_address) == str(cast.student.pk)


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_address_block_lifts_after_the_window(cast: Cast) -> None:
    for username in ("guess.one", "guess.two", "guess.three"):
        log_in(Client(), username, WRONG)
    assert log_in(Client(), cast.student.username).status_code == 400

    move_attempts_back(settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)

    assert log_in(Client(), cast.student.username).status_code == 302


def test_failures_for_one_username_from_many_addresses_still_block_the_username(cast: Cast) -> None:
    for index in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(Client(REMOTE_ADDR=f"203.0.113.{index + 1}"), cast.student.username, WRONG)

    response = log_in(Client(REMOTE_ADDR="203.0.113.200"), cast.student.username)

    assert response.status_code == 400
    assert non_field_errors(response) == [blocked_message(response, cast.student.username)]


# --- Logout ----------------------------------------------------------------------------------


def test_logout_is_post_only(cast: Cast) -> None:
    client = Client()
    log_in(client, cast.student.username)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert logged_in_user_id(client) == str(cast.student.pk)
    assert client.get(reverse("start")).status_code == 200


def test_logout_flushes_the_session_on_the_server(cast: Cast) -> None:
    client = Client()
    log_in(client, cast.student.username)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore().exists(session_key)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not SessionStore().exists(session_key)
    start = client.get(reverse("start"))
    assert start.status_code == 302
    assert start["Location"].startswith(reverse("login"))


def test_a_stolen_session_cookie_is_useless_after_logout(cast: Cast) -> None:
    client = Client()
    log_in(client, cast.student.username)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert thief.get(reverse("start")).status_code == 200

    client.post(reverse("logout"))

    assert thief.get(reverse("start")).status_code == 302


# --- next ------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/account/", "/account/password/?tab=1", "http://testserver/account/"])
def test_next_is_honoured_for_same_host_urls(cast: Cast, target: str) -> None:
    response = log_in(Client(), cast.student.username, next=target)

    assert response.status_code == 302
    assert response["Location"] == target


def test_next_survives_a_mistyped_password(cast: Cast) -> None:
    client = Client()
    page = client.get(reverse("login"), {"next": "/account/"})
    assert '<input type="hidden" name="next" value="/account/">' in page.content.decode()

    mistyped = log_in(client, cast.student.username, WRONG, next="/account/")
    assert mistyped.status_code == 400
    assert '<input type="hidden" name="next" value="/account/">' in mistyped.content.decode()

    response = log_in(client, cast.student.username, next="/account/")
    assert response["Location"] == "/account/"


def test_next_from_the_query_string_is_honoured(cast: Cast) -> None:
    response = Client().post(
        f"{reverse('login')}?next=/account/", {"username": cast.student.username, "password": PASSWORD}
    )

    assert response["Location"] == "/account/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "https:///evil.example",
    ],
)
def test_next_pointing_elsewhere_is_refused(cast: Cast, target: str) -> None:
    response = log_in(Client(), cast.student.username, next=target)

    assert response.status_code == 302
    assert response["Location"] == reverse("start")


def test_next_is_carried_through_the_code_step_for_staff(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    client = Client()

    response = log_in(client, cast.teacher.username, next="/account/")

    assert response["Location"] == f"{reverse('otp-verify')}?next=%2Faccount%2F"
    verified = client.post(response["Location"], {"code": code_for(device)})
    assert verified.status_code == 302
    assert verified["Location"] == "/account/"


def test_next_pointing_elsewhere_is_refused_after_the_code_step(cast: Cast) -> None:
    device = give_authenticator(cast.teacher)
    client = Client()
    log_in(client, cast.teacher.username, next="https://evil.example/")

    response = enter_code(client, code_for(device), next="https://evil.example/")

    assert response.status_code == 302
    assert response["Location"] == reverse("start")


def test_logged_in_user_opening_login_page_is_not_sent_elsewhere_by_next(cast: Cast) -> None:
    client = Client()
    log_in(client, cast.student.username)

    response = client.get(reverse("login"), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("start")
