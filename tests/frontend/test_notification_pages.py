"""The inbox, opening a notification, the settings page and the push device endpoints,
through the real views, actions and policy."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions.memberships import end_membership
from accounts.models import Guardianship
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from notifications.fanout import fan_out_waiting
from notifications.models import Notification, NotificationSettings, Preference, PushSubscription
from tests.support.cast import PASSWORD, Cast
from tests.support.clients import verified_client
from tests.support.dialogue import assessment_objects

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

P256DH = "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk"
AUTH = "Q2BoAjC09xH3ywDLNJr-dA"


def _messages(cast: Cast, count: int) -> None:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    for number in range(count):
        post_message(cast.teacher, page, thread_id=thread.pk, body=f"Hej {number}", client_id=uuid.uuid4())


def _count(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_the_inbox_takes_the_same_queries_with_2_or_40_notifications(cast: Cast, settings: Any) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 100
    client = verified_client(cast.guardian_1)
    _messages(cast, 2)
    fan_out_waiting()
    small, _response = _count(client, reverse("notifications"))
    _messages(cast, 38)
    fan_out_waiting()
    large, response = _count(client, reverse("notifications"))
    # session, user, device; the count of lines, the page of lines, their newest notifications
    assert small == large == 6
    # One author's messages in one thread are one line.
    assert response.content.decode().count('class="inbox__item') == 1
    assert "40 nya meddelanden från Lars Lund i Allmänt" in response.content.decode()


def test_the_inbox_groups_messages_by_thread_and_author_with_the_newest_time_and_one_link(
    cast: Cast, settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 100
    _messages(cast, 4)
    page = page_of(cast.student)
    maths = page.threads.get(kind=Thread.Kind.SUBJECT, subject=cast.maths)
    post_message(cast.teacher, page, thread_id=maths.pk, body="Bråk", client_id=uuid.uuid4())
    post_message(cast.guardian_2, page, thread_id=maths.pk, body="Tack", client_id=uuid.uuid4())
    fan_out_waiting()
    inbox = verified_client(cast.guardian_1).get(reverse("notifications")).content.decode()
    assert inbox.count('class="inbox__item') == 3
    titles = [part.split("<", 1)[0] for part in inbox.split('class="inbox__title">')[1:]]
    # The newest first; the one in maths and the other author's stay their own lines.
    assert titles == [
        "Nytt meddelande från Johan Berg",
        "Nytt meddelande från Lars Lund",
        "4 nya meddelanden från Lars Lund i Allmänt",
    ]
    newest = Notification.objects.filter(recipient=cast.guardian_1, params__thread__sv="Allmänt").first()
    assert newest is not None
    assert f'href="{reverse("notification-open", args=[newest.pk])}"' in inbox
    assert inbox.count('class="inbox__link"') == 3
    # Opening the line marks all four read, and nothing else.
    verified_client(cast.guardian_1).get(reverse("notification-open", args=[newest.pk]))
    assert verified_client(cast.guardian_1).get(reverse("notifications-unread")).json() == {"unread": 2}


def test_the_inbox_names_what_happened_in_the_readers_language_and_never_the_text(cast: Cast) -> None:
    assessment_objects(cast)
    fan_out_waiting()
    client = verified_client(cast.guardian_1)
    page = client.get(reverse("notifications")).content.decode()
    assert "Nytt skriftligt omdöme i Matematik" in page
    assert "räknar säkert" not in page  # the assessment's own words stay on its page
    client.post(reverse("set-language"), {"language": "en", "next": "/"})
    page = client.get(reverse("notifications")).content.decode()
    assert "New written assessment in Mathematics" in page


def test_opening_marks_read_and_goes_to_the_thing(cast: Cast) -> None:
    objects = assessment_objects(cast)
    fan_out_waiting()
    notification = Notification.objects.get(recipient=cast.guardian_1)
    client = verified_client(cast.guardian_1)
    assert client.get(reverse("notifications-unread")).json() == {"unread": 1}
    response = client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302
    # Marked as followed from a notification, for the access log (nothing personal in it).
    assert (
        response["Location"]
        == reverse("assessment-history", args=[cast.student.pk, objects["assessment"].pk])
        + "?via=notification"
    )
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(reverse("notifications-unread")).json() == {"unread": 0}
    # Someone else's notification looks missing and stays unread.
    other = Notification.objects.get(recipient=cast.guardian_2)
    assert client.get(reverse("notification-open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_opening_after_access_ended_leads_to_the_inbox_not_the_page(cast: Cast) -> None:
    assessment_objects(cast)
    fan_out_waiting()
    notification = Notification.objects.get(recipient=cast.guardian_2)
    guardianship = Guardianship.objects.get(
        guardian=cast.guardian_2, student=cast.student, ends_on__isnull=True
    )
    end_membership(SYSTEM, guardianship, ends_on=timezone.localdate())
    client = verified_client(cast.guardian_2)
    response = client.get(reverse("notification-open", args=[notification.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications")
    assert "no longer available" in response.content.decode() or "inte längre" in response.content.decode()


def test_mark_read_unread_and_all(cast: Cast) -> None:
    _messages(cast, 3)
    fan_out_waiting()
    client = verified_client(cast.student)
    first = Notification.objects.filter(recipient=cast.student).first()
    assert first is not None
    # The three are one line of the inbox (one author, one thread): marked read together.
    client.post(reverse("notification-read", args=[first.pk]))
    assert client.get(reverse("notifications-unread")).json() == {"unread": 0}
    client.post(reverse("notification-read", args=[first.pk]), {"read": "0"})
    assert client.get(reverse("notifications-unread")).json() == {"unread": 3}
    client.post(reverse("notifications-read-all"))
    assert client.get(reverse("notifications-unread")).json() == {"unread": 0}
    assert Notification.objects.filter(recipient=cast.guardian_1, read_at__isnull=True).count() == 3


def _grid(**overrides: str) -> dict[str, str]:
    form = {
        "email_mode": "digest",
        "digest_hour": "18",
        "quiet_from": "22:00",
        "quiet_until": "06:30",
        "assessments:in_app": "on",
        "assessments:push": "on",
        "assessments:email": "on",
        "messages:in_app": "on",
    }
    form.update(overrides)
    return form


def test_settings_are_saved_and_only_differences_from_the_defaults_are_kept(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    page = client.get(reverse("notification-settings")).content.decode()
    assert 'name="assessments:email" id="c-assessments-email" checked' in page  # the default for guardians
    response = client.post(reverse("notification-settings"), _grid())
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(user=cast.guardian_1)
    assert (saved.email_mode, saved.digest_hour, saved.quiet_from.isoformat(timespec="minutes")) == (
        "digest",
        18,
        "22:00",
    )
    kept = set(Preference.objects.filter(user=cast.guardian_1).values_list("group", "channel", "enabled"))
    assert ("messages", "push", False) in kept
    assert ("messages", "in_app", True) not in kept  # the default for family and staff alike
    page = client.get(reverse("notification-settings")).content.decode()
    assert 'name="messages:push" id="c-messages-push">' in page  # shown off now


def test_bad_settings_are_refused_with_the_form_as_sent_and_nothing_lost(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    client.post(reverse("notification-settings"), _grid())
    response = client.post(reverse("notification-settings"), _grid(quiet_from="late", email_mode="instant"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="late"' in page
    assert (
        NotificationSettings.objects.get(user=cast.guardian_1).quiet_from.isoformat(timespec="minutes")
        == "22:00"
    )
    assert client.post(reverse("notification-settings"), _grid(digest_hour="25")).status_code == 400


def test_staff_see_working_hours_and_family_quiet_hours(cast: Cast) -> None:
    teacher = verified_client(cast.teacher).get(reverse("notification-settings")).content.decode()
    assert "Arbetstid" in teacher or "Working hours" in teacher
    assert 'value="17:00"' in teacher
    assert 'id="quiet-weekends" checked' in teacher
    guardian = verified_client(cast.guardian_1).get(reverse("notification-settings")).content.decode()
    assert 'value="21:00"' in guardian


def test_a_device_subscribes_by_json_and_can_be_removed(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    body = {"endpoint": "https://push.example.org/send/abc", "keys": {"p256dh": P256DH, "auth": AUTH}}
    response = client.post(reverse("push-subscribe"), json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    device = PushSubscription.objects.get(user=cast.guardian_1)
    assert (
        "push.example.org"
        not in verified_client(cast.guardian_2).get(reverse("notification-settings")).content.decode()
    )
    # Another person cannot remove it.
    verified_client(cast.guardian_2).post(reverse("push-unsubscribe"), {"device": device.pk})
    assert PushSubscription.objects.filter(pk=device.pk).exists()
    client.post(
        reverse("push-unsubscribe"),
        json.dumps({"endpoint": body["endpoint"]}),
        content_type="application/json",
    )
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint": "https://push.example.org/x", "keys": {"p256dh": "short", "auth": AUTH}},
        {"endpoint": "https://push.example.org/x", "keys": {"p256dh": P256DH, "auth": "%%%"}},
        {"endpoint": "ftp://push.example.org/x", "keys": {"p256dh": P256DH, "auth": AUTH}},
        {"endpoint": "https://push.example.org/x"},
        [],
    ],
)
def test_a_bad_subscription_gets_a_clear_error(cast: Cast, body: Any) -> None:
    client = verified_client(cast.guardian_1)
    response = client.post(reverse("push-subscribe"), json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_push_endpoints_inside_the_network_are_refused_in_production(cast: Cast, settings: Any) -> None:
    settings.WEB_PUSH_ALLOW_HTTP = False
    client = verified_client(cast.guardian_1)
    for endpoint in (
        "https://127.0.0.1/x",
        "https://localhost/x",
        "http://push.example.org/x",
        "https://[::1]/x",
    ):
        body = {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}}
        response = client.post(reverse("push-subscribe"), json.dumps(body), content_type="application/json")
        assert response.status_code == 400, endpoint


def test_a_key_that_is_not_a_curve_point_is_refused(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    not_a_point = "BA" + "A" * 85  # 65 bytes, starts with 0x04, but no point of P-256
    body = {"endpoint": "https://push.example.org/x", "keys": {"p256dh": not_a_point, "auth": AUTH}}
    response = client.post(reverse("push-subscribe"), json.dumps(body), content_type="application/json")
    assert response.status_code == 400


def test_an_email_link_opened_while_logged_out_leads_through_login_to_the_thing(cast: Cast) -> None:
    objects = assessment_objects(cast)
    fan_out_waiting()
    notification = Notification.objects.get(recipient=cast.guardian_1)
    client = Client()
    response = client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302
    login = response["Location"]
    assert login.startswith(reverse("login"))
    response = client.post(login, {"username": cast.guardian_1.username, "password": PASSWORD})
    assert response["Location"] == reverse("notification-open", args=[notification.pk])
    response = client.get(response["Location"])
    # Marked as followed from a notification, for the access log (nothing personal in it).
    assert (
        response["Location"]
        == reverse("assessment-history", args=[cast.student.pk, objects["assessment"].pk])
        + "?via=notification"
    )
