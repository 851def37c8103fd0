"""A person's choices: channels per kind, e-mail timing and quiet hours decide what is
queued, and when."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from notifications import actions, quiet
from notifications.fanout import fan_out_waiting
from notifications.models import Channel, Delivery, Notification, NotificationSettings
from tests.support.cast import Cast
from tests.support.dialogue import assessment_objects

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
P256DH = "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk"
AUTH = "Q2BoAjC09xH3ywDLNJr-dA"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in November 2026 in Stockholm (the 23rd is a Monday)."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=STOCKHOLM)


def settings(**fields: object) -> NotificationSettings:
    return NotificationSettings(**fields)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(23, 12), at(23, 12)),  # Monday noon: not quiet
        (at(23, 22), at(24, 7)),  # Monday night: waits for the morning
        (at(24, 6, 59), at(24, 7)),
        (at(24, 7), at(24, 7)),
    ],
)
def test_the_night_is_quiet_by_default(moment: datetime.datetime, expected: datetime.datetime) -> None:
    assert quiet.next_allowed(moment, None) == expected


def test_staff_working_hours_hold_pushes_over_the_weekend() -> None:
    staff = quiet.default_for("staff")
    assert quiet.next_allowed(at(27, 18), staff) == at(30, 7)  # Friday evening -> Monday 07:00
    assert quiet.next_allowed(at(28, 12), staff) == at(30, 7)  # Saturday noon
    assert quiet.next_allowed(at(30, 9), staff) == at(30, 9)


def test_quiet_hours_within_one_day_and_none() -> None:
    lunch = settings(quiet_from=datetime.time(12, 0), quiet_until=datetime.time(13, 0))
    assert quiet.next_allowed(at(23, 12, 30), lunch) == at(23, 13)
    assert quiet.next_allowed(at(23, 13, 30), lunch) == at(23, 13, 30)
    never = settings(quiet_from=datetime.time(0, 0), quiet_until=datetime.time(0, 0))
    assert quiet.next_allowed(at(23, 3), never) == at(23, 3)


def test_the_digest_goes_out_at_the_chosen_hour() -> None:
    choice = settings(digest_hour=17)
    assert quiet.next_digest(at(23, 9), choice) == at(23, 17)
    assert quiet.next_digest(at(23, 17, 30), choice) == at(24, 17)


def _all_on(group: str, **channels: bool) -> dict[tuple[str, str], bool]:
    return {(group, channel): channels.get(channel, True) for channel in Channel.values}


def _subscribe(user: object, name: str) -> None:
    actions.subscribe_push(user, endpoint=f"https://push.example.org/{name}", p256dh=P256DH, auth=AUTH)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_turned_off_channels_are_not_queued_and_in_app_off_keeps_the_push(cast: Cast) -> None:
    _subscribe(cast.guardian_1, "g1")
    _subscribe(cast.guardian_2, "g2")
    common: dict[str, Any] = {
        "email_mode": "instant",
        "digest_hour": 17,
        "quiet_from": "00:00",
        "quiet_until": "00:00",
        "quiet_weekends": False,
    }
    actions.save_settings(
        cast.guardian_1, **common, choices=_all_on("assessments", email=False, in_app=False)
    )
    actions.save_settings(
        cast.guardian_2, **common, choices=_all_on("assessments", email=False, in_app=False, push=False)
    )
    assessment_objects(cast)
    fan_out_waiting()
    first = Notification.objects.get(recipient=cast.guardian_1)
    assert not first.in_inbox  # not in the inbox, but the push goes out
    assert list(first.deliveries.values_list("channel", flat=True)) == [Channel.PUSH]
    assert not Notification.objects.filter(recipient=cast.guardian_2).exists()  # everything off


@pytest.mark.django_db
def test_a_digest_email_waits_and_a_push_in_quiet_hours_waits(cast: Cast) -> None:
    _subscribe(cast.guardian_1, "g1")
    now = timezone.localtime()
    start = (now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + datetime.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    cast.guardian_1.email = "guardian1@example.org"
    cast.guardian_1.save(update_fields=["email"])
    actions.save_settings(
        cast.guardian_1,
        email_mode="digest",
        digest_hour=(now.hour + 3) % 24,
        quiet_from=start,
        quiet_until=end,
        quiet_weekends=False,
        choices={},
    )
    assessment_objects(cast)
    fan_out_waiting()
    email = Delivery.objects.get(notification__recipient=cast.guardian_1, channel=Channel.EMAIL)
    assert email.digest
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(hours=2)
    pushed = Delivery.objects.get(notification__recipient=cast.guardian_1, channel=Channel.PUSH)
    assert timezone.localtime(pushed.next_attempt_at).time().replace(second=0) == end


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome, Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari, iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox, Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge, Windows",
        ),
        ("curl/8.5", ""),
    ],
)
def test_a_device_is_named_by_its_browser_and_system(user_agent: str, name: str) -> None:
    assert actions.device_name(user_agent) == name
