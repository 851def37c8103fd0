"""The message after too many failed logins says what is paused (this account, or every
login from the visitor's address) and until when, in Swedish time and Swedish format."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone, translation

from accounts.actions.login import BlockScope, LoginBlock
from accounts.models import LoginAttempt
from frontend.views.auth import blocked_message
from tests.accounts.flows import Response, log_in
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db

WRONG = "not the right password at all"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def the_error(response: Response) -> str:
    (message,) = response.context["form"].non_field_errors()
    return str(message)


def stockholm_clock(moment: datetime.datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%H:%M")


def block_end(failures: list[datetime.datetime]) -> datetime.datetime:
    """When the oldest of the counted failures leaves the window."""
    return min(failures) + datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def test_blocked_username_is_told_the_account_is_paused_until_a_swedish_clock_time(cast: Cast) -> None:
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = log_in(Client(), cast.student.username, WRONG)

    until = block_end(list(LoginAttempt.objects.values_list("at", flat=True)))
    assert response.status_code == 400
    assert the_error(response) == (
        "För många misslyckade försök för det här användarnamnet. Av säkerhetsskäl är "
        f"inloggning på det här kontot spärrad till kl. {stockholm_clock(until)}, från alla "
        "enheter. Fråga din skola om du har glömt ditt lösenord."
    )


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_blocked_address_is_told_every_login_from_it_is_paused_not_the_account(cast: Cast) -> None:
    for username in ("guess.one", "guess.two", "guess.three"):
        log_in(Client(), username, WRONG)

    response = log_in(Client(), cast.student.username)

    until = block_end(list(LoginAttempt.objects.values_list("at", flat=True)))
    message = the_error(response)
    assert response.status_code == 400
    assert message == (
        "För många misslyckade inloggningar från din nätverksadress. Av säkerhetsskäl är all "
        f"inloggning från den här adressen spärrad till kl. {stockholm_clock(until)}, oavsett "
        "vilket konto den gäller. Fråga din skola om du behöver hjälp."
    )
    assert "kontot spärrad" not in message


def test_a_block_ending_on_another_day_names_the_swedish_date_too() -> None:
    ends = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=0, minute=5)

    with translation.override("sv"):
        message = blocked_message(LoginBlock(until=ends, scope=BlockScope.ACCOUNT))

    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti"]
    months += ["september", "oktober", "november", "december"]
    local = ends.astimezone(STOCKHOLM)
    expected = f"{local.day} {months[local.month - 1]} kl. {local:%H:%M}"
    assert f"spärrad till {expected}, från alla enheter" in message
