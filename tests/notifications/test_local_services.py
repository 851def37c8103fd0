"""The local push service and SMTP server are trustworthy stand-ins: real pywebpush and
Django's real SMTP backend talk to them over real sockets, and what arrives is exactly
what was sent (decrypted, signed, UTF-8 intact), while scripted failures reach the
sender as the errors it will meet in production."""

from __future__ import annotations

import base64
import json
import os
import smtplib

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import override_settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from tests.support.push_service import PushService, b64url_encode

# The fixtures, imported under their own names (an explicit re-export) so pytest finds them.
from tests.support.push_service import push_service as push_service
from tests.support.smtp import SmtpServer, smtp_environment, smtp_settings
from tests.support.smtp import smtp_server as smtp_server

SWEDISH = "Nytt skriftligt omdöme i Matematik – åäö"
CONTACT = "mailto:test@example.org"


@pytest.fixture(scope="module")
def vapid() -> Vapid:
    key = Vapid()
    key.generate_keys()
    return key


def vapid_public_key(vapid: Vapid) -> str:
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(point)


def push(subscription: dict, data: object, vapid: Vapid, **options: object):
    # A fresh claims dict each time: pywebpush writes aud and exp into the one it gets.
    return webpush(
        subscription_info=subscription,
        data=json.dumps(data),
        vapid_private_key=vapid,
        vapid_claims={"sub": CONTACT},
        ttl=60,
        **options,
    )


# --- Web push ---------------------------------------------------------------------------------


def test_subscription_looks_like_a_browsers_push_subscription(push_service: PushService):
    subscription = push_service.new_subscription()

    assert set(subscription) == {"endpoint", "keys"}
    assert subscription["endpoint"].startswith(f"http://127.0.0.1:{push_service.port}/push/")
    p256dh, auth = subscription["keys"]["p256dh"], subscription["keys"]["auth"]
    assert "=" not in p256dh + auth
    point = base64.urlsafe_b64decode(p256dh + "=")
    assert len(point) == 65
    assert point[0] == 4  # uncompressed P-256 point
    assert len(base64.urlsafe_b64decode(auth + "==")) == 16


def test_webpush_arrives_decrypted_with_ttl_and_valid_vapid(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    data = {"title": SWEDISH, "url": "/elev/7/"}

    response = push(subscription, data, vapid)

    assert response.status_code == 201
    [received] = push_service.wait_for(1)
    assert received.json == data
    assert received.payload == json.dumps(data).encode()
    assert received.ttl == 60
    assert received.content_encoding == "aes128gcm"
    assert received.body_size > len(received.payload)
    assert received.vapid_ok, received.vapid_error
    assert received.vapid_claims is not None
    assert received.vapid_claims["aud"] == push_service.origin
    assert received.vapid_claims["sub"] == CONTACT
    assert received.vapid_public_key == vapid_public_key(vapid)
    assert received.endpoint == subscription["endpoint"]


def test_topic_and_urgency_headers_are_recorded(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()

    push(subscription, {"n": 1}, vapid, headers={"Topic": "omdome-7", "Urgency": "high"})

    [received] = push_service.wait_for(1)
    assert (received.topic, received.urgency) == ("omdome-7", "high")


def test_scripted_410_reaches_the_sender_as_gone(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    push_service.respond(subscription, 410)

    with pytest.raises(WebPushException) as failure:
        push(subscription, {"n": 1}, vapid)

    assert failure.value.response.status_code == 410
    assert [r.status for r in push_service.received] == [410]
    assert push_service.delivered() == []


def test_scripted_500_then_a_retry_is_delivered(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    push_service.respond(subscription["endpoint"], 500, 201)

    with pytest.raises(WebPushException) as failure:
        push(subscription, {"attempt": 1}, vapid)
    assert failure.value.response.status_code == 500
    push(subscription, {"attempt": 2}, vapid)

    assert [r.status for r in push_service.received] == [500, 201]
    assert [r.json for r in push_service.wait_for(1)] == [{"attempt": 2}]


def test_scripted_429_carries_retry_after(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    push_service.respond(subscription, 429, retry_after=30)

    with pytest.raises(WebPushException) as failure:
        push(subscription, {"n": 1}, vapid)

    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "30"


def test_expired_subscription_answers_gone_every_time(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    push_service.expire(subscription)

    for _ in range(2):
        with pytest.raises(WebPushException) as failure:
            push(subscription, {"n": 1}, vapid)
        assert failure.value.response.status_code == 410


def test_wrong_auth_secret_is_recorded_as_undecryptable_not_delivered(
    push_service: PushService, vapid: Vapid
):
    subscription = push_service.new_subscription()
    wrong = {**subscription, "keys": {**subscription["keys"], "auth": b64url_encode(os.urandom(16))}}

    with pytest.raises(WebPushException) as failure:
        push(wrong, {"secret": "nope"}, vapid)

    assert failure.value.response.status_code == 400
    [received] = push_service.received
    assert (received.status, received.payload, received.json) == (400, None, None)
    assert received.error is not None
    assert "cannot decrypt" in received.error
    assert received.vapid_ok  # the request was signed correctly; only the keys were wrong
    # The service is still up and the right keys still work.
    push(subscription, {"secret": "yes"}, vapid)
    assert [r.json for r in push_service.wait_for(1)] == [{"secret": "yes"}]


def test_unknown_subscription_is_not_found(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    unknown = {**subscription, "endpoint": subscription["endpoint"] + "x"}

    with pytest.raises(WebPushException) as failure:
        push(unknown, {"n": 1}, vapid)

    assert failure.value.response.status_code == 404
    assert push_service.received == []


def test_vapid_token_for_another_origin_is_flagged(push_service: PushService, vapid: Vapid):
    """A claims dict reused across push services keeps the first service's ``aud``
    (pywebpush fills it in only when missing): real services reject that."""
    claims = {"sub": CONTACT}
    with PushService() as other:
        webpush(other.new_subscription(), "{}", vapid_private_key=vapid, vapid_claims=claims, ttl=60)
        webpush(push_service.new_subscription(), "{}", vapid_private_key=vapid, vapid_claims=claims, ttl=60)
        assert other.wait_for(1)[0].vapid_ok

    [received] = push_service.wait_for(1)
    assert not received.vapid_ok
    assert received.vapid_error is not None
    assert "aud" in received.vapid_error


def test_missing_vapid_is_flagged(push_service: PushService):
    webpush(push_service.new_subscription(), "{}", ttl=60)

    [received] = push_service.wait_for(1)
    assert (received.vapid_ok, received.vapid_claims) == (False, None)


def test_wait_for_reports_what_arrived_when_too_little_did(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    push_service.respond(subscription, 503)
    with pytest.raises(WebPushException):
        push(subscription, {"n": 1}, vapid)

    with pytest.raises(AssertionError, match="got 0") as failure:
        push_service.wait_for(1, timeout=0.2)
    assert "status=503" in str(failure.value)


def test_clear_forgets_what_arrived(push_service: PushService, vapid: Vapid):
    subscription = push_service.new_subscription()
    push(subscription, {"n": 1}, vapid)
    push_service.wait_for(1)

    push_service.clear()

    assert push_service.received == []
    push(subscription, {"n": 2}, vapid)
    assert [r.json for r in push_service.wait_for(1)] == [{"n": 2}]


# --- E-mail -----------------------------------------------------------------------------------


def send(subject: str = SWEDISH, body: str = f"{SWEDISH}\nLogga in för att läsa.") -> int:
    return send_mail(subject, body, "Elevdialog <noreply@elevdialog.example>", ["vardnad@example.org"])


def test_django_send_mail_arrives_with_swedish_text_intact(smtp_server: SmtpServer):
    with override_settings(**smtp_settings(smtp_server)):
        assert send() == 1

    [mail] = smtp_server.wait_for(1)
    envelope_from, envelope_to, message = mail
    assert envelope_from == "noreply@elevdialog.example"
    assert envelope_to == ["vardnad@example.org"]
    assert mail.subject == SWEDISH
    assert message["To"] == "vardnad@example.org"
    assert message.get_content_charset() == "utf-8"
    assert mail.text == f"{SWEDISH}\nLogga in för att läsa."


def test_html_alternative_keeps_the_plain_text_readable(smtp_server: SmtpServer):
    with override_settings(**smtp_settings(smtp_server)):
        email = EmailMultiAlternatives(SWEDISH, "Läs mer.", to=["vardnad@example.org"])
        email.attach_alternative("<p>Läs <b>mer</b>.</p>", "text/html")
        email.send()

    [mail] = smtp_server.wait_for(1)
    assert mail.text == "Läs mer."
    html = mail.message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<b>mer</b>" in html.get_content()


def test_temporary_failure_raises_then_the_next_send_succeeds(smtp_server: SmtpServer):
    smtp_server.fail_next(1)

    with override_settings(**smtp_settings(smtp_server)):
        with pytest.raises(smtplib.SMTPDataError) as failure:
            send(subject="first")
        assert failure.value.smtp_code == 451
        send(subject="second")

    assert [mail.subject for mail in smtp_server.wait_for(1)] == ["second"]
    assert smtp_server.refused == 1


def test_smtp_wait_for_and_clear(smtp_server: SmtpServer):
    with override_settings(**smtp_settings(smtp_server)):
        send(subject="one")
    smtp_server.wait_for(1)

    smtp_server.clear()

    assert smtp_server.messages == []
    with pytest.raises(AssertionError, match="expected 1 message"):
        smtp_server.wait_for(1, timeout=0.2)


def test_smtp_environment_points_a_subprocess_at_the_server(smtp_server: SmtpServer):
    assert smtp_environment(smtp_server) == {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_server.port)}
