"""Notifications about a protected person: the message of a protected guardian on the child's
page reaches the other guardian as from "A guardian" (in the app, by push and by e-mail);
the child and the school read the name. A civic number never reaches a notification, a push
or an e-mail. The whole way: the worker process, a local push service, a local SMTP server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import translation

from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking, User
from classblog.actions import approve_post
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from notifications import actions
from notifications.fanout import fan_out_waiting
from notifications.models import Notification
from notifications.texts import title_and_body
from tests.notifications.test_delivery_end_to_end import WAIT, add_devices, drained, give_address, wait_until
from tests.support.blog import classmate, comment, pending_post, published_post
from tests.support.cast import Cast
from tests.support.push_service import PushService

# The fixtures, imported under their own names (an explicit re-export) so pytest finds them.
from tests.support.push_service import push_service as push_service
from tests.support.smtp import SmtpServer
from tests.support.smtp import smtp_server as smtp_server
from tests.support.worker import StartWorker
from tests.support.worker import start_worker as start_worker
from tests.support.worker import vapid_private_key as vapid_private_key

KARINS_NUMBER = "198112189876"
ANNAS_NUMBER = "201506152386"
NUMBER_FORMS: tuple[str, ...] = (KARINS_NUMBER, "19811218-9876", "811218-9876", "8112189876")
NUMBER_FORMS += (ANNAS_NUMBER, "20150615-2386", "150615-2386", "1506152386")


def _all_on(person: User) -> None:
    """Every channel for messages, no quiet hours (the suite may run at night)."""
    actions.save_settings(
        person,
        email_mode="instant",
        digest_hour=17,
        quiet_from="00:00",
        quiet_until="00:00",
        quiet_weekends=False,
        choices={("messages", "email"): True, ("messages", "push"): True, ("messages", "in_app"): True},
    )


def _karin_writes(cast: Cast) -> None:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    body = "Jag hämtar på fredag."
    post_message(cast.guardian_1, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())


@pytest.fixture
def protected(cast: Cast) -> Cast:
    identity.set_civic_number(SYSTEM, cast.guardian_1, KARINS_NUMBER)
    identity.set_civic_number(SYSTEM, cast.student, ANNAS_NUMBER)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.PROTECTED_REGISTRATION)
    return cast


@pytest.mark.django_db
def test_the_other_guardians_notification_names_a_protected_writer_with_the_label(protected: Cast) -> None:
    cast = protected
    _karin_writes(cast)
    fan_out_waiting()
    told = {n.recipient_id: n for n in Notification.objects.filter(kind="message.posted")}
    assert set(told) == {cast.student.pk, cast.guardian_2.pk, cast.teacher.pk}
    for language, label in (("sv", "En vårdnadshavare"), ("en", "A guardian")):
        title, body = title_and_body(told[cast.guardian_2.pk], language)
        assert label in title
        assert "Karin" not in title + body
    for insider in (cast.student, cast.teacher):
        title, _body = title_and_body(told[insider.pk], "sv")
        assert "Karin Andersson" in title
    for notification in told.values():
        stored = str(notification.params)
        assert not [form for form in NUMBER_FORMS if form in stored]


@pytest.mark.django_db
def test_an_unprotected_writer_is_named_to_everyone(cast: Cast) -> None:
    _karin_writes(cast)
    fan_out_waiting()
    for notification in Notification.objects.filter(kind="message.posted"):
        with translation.override("sv"):
            assert "Karin Andersson" in title_and_body(notification, "sv")[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_push_and_email_to_the_other_guardian_carry_the_label_and_no_civic_number(
    cast: Cast,
    push_service: PushService,
    smtp_server: SmtpServer,
    start_worker: StartWorker,
    vapid_private_key: str,
) -> None:
    identity.set_civic_number(SYSTEM, cast.guardian_1, KARINS_NUMBER)
    identity.set_civic_number(SYSTEM, cast.student, ANNAS_NUMBER)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.PROTECTED_REGISTRATION)
    addresses = {}
    for person in (cast.guardian_2, cast.teacher):
        addresses[person.pk] = give_address(person)
        add_devices(push_service, person)
        _all_on(person)
    worker = start_worker(smtp_server)

    _karin_writes(cast)

    pushes = push_service.wait_for(2, timeout=WAIT)
    mails = smtp_server.wait_for(2, timeout=WAIT)
    wait_until(drained, "every delivery sent", worker)
    by_address: dict[str, Any] = {mail.envelope_rcpt_tos[0]: mail for mail in mails}
    johans_mail = by_address[addresses[cast.guardian_2.pk]]
    assert "En vårdnadshavare" in johans_mail.subject
    assert "Karin" not in johans_mail.subject + johans_mail.text
    assert "Karin Andersson" in by_address[addresses[cast.teacher.pk]].subject
    texts = [push.payload.decode() for push in pushes if push.payload is not None]
    assert len(texts) == 2
    assert sum("Karin" in text for text in texts) == 1  # the teacher's only
    assert sum("En vårdnadshavare" in text for text in texts) == 1
    for text in [*texts, *(mail.subject + mail.text + str(mail.message) for mail in mails)]:
        assert not [form for form in NUMBER_FORMS if form in text]


@pytest.mark.django_db
def test_blog_notices_to_other_families_name_no_protected_writer(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """Blog notices name the class, never a writer: other families learn nothing of a
    protected student's post or comment, whatever they are told."""
    mate, mates_guardian = classmate(cast)
    identity.set_civic_number(SYSTEM, cast.student, ANNAS_NUMBER)
    identity.set_security_marking(SYSTEM, cast.student, SecurityMarking.PROTECTED_REGISTRATION)
    with django_capture_on_commit_callbacks(execute=True):
        approve_post(cast.teacher, pending_post(cast))
        teachers = published_post(cast)
        comment(cast.student, teachers, "Jag kommer!")
        comment(mate, teachers, "Jag med!")
    fan_out_waiting()
    told = Notification.objects.filter(recipient__in=[mate, mates_guardian])
    assert told.filter(kind="blog.post_published").count() == 2
    for notification in told:
        for language in ("sv", "en"):
            title, body = title_and_body(notification, language)
            assert "Anna" not in title + body
            assert not [form for form in NUMBER_FORMS if form in title + body + str(notification.params)]
