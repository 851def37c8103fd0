"""Requests for public records in the demo (``manage.py seed_demo_releases``), handled by the
registrar Birgitta Sundström of Björkbackaskolan (registry prefix BJB):

- one released with masking: last week an anonymous requester asked for the messages and
  assessments of Linnea Forsberg, who left in 2021 (her page is an archive). A message of her
  maths teacher from February 2021 (``dialogue.demo.archive``) tells of her special support;
  that sentence was masked under 23 kap. 2 § OSL, the rest released, and the copy handed
  over on paper.
- one waiting for review: a journalist asked today for Elsa Lindqvist's written assessments
  and messages, to be sent as a PDF by e-mail.

Everything goes through the real actions. Written once: a second run finds the requests and
writes nothing. Run after ``seed_demo`` and ``seed_demo_dialogue``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions.structure import save_school
from accounts.demo.clock import as_on
from accounts.demo.school import SCHOOL_NAME
from accounts.models import School, User
from dialogue.models import Message
from records.models import ReleaseRequest, SecrecyGround
from records.release import actions

REGISTRY_CODE = "BJB"
REGISTRAR = "birgitta.sundstrom"
JOURNALIST_STUDENT = "elsa.lindqvist"
ARCHIVE_STUDENT = "linnea.forsberg"

MASKED = (
    "Linnea har fått särskilt stöd i matematik: hon arbetar med specialläraren i en liten grupp "
    "tre lektioner i veckan."
)
MASKING_REASON = "Uppgift om elevens särskilda stöd"


def seed(now: datetime.datetime | None = None) -> int:
    """Register the demo requests; how many were registered (0 when already there, or when
    the demo school or its people are missing)."""
    school = School.objects.filter(name=SCHOOL_NAME).first()
    people = {
        user.username: user
        for user in User.objects.filter(username__in=[REGISTRAR, JOURNALIST_STUDENT, ARCHIVE_STUDENT])
    }
    support = Message.objects.filter(page__student__username=ARCHIVE_STUDENT, body__contains=MASKED).first()
    if school is None or len(people) < 3 or support is None:
        return 0
    if ReleaseRequest.objects.filter(school=school).exists():
        return 0
    if not school.registry_code:
        school.registry_code = REGISTRY_CODE
        save_school(SYSTEM, school)
    now = now or timezone.now()
    _released_with_masking(people, support, now - datetime.timedelta(days=7))
    _waiting_for_review(people, now)
    return 2


def _released_with_masking(
    people: dict[str, User], message: Message, day: datetime.datetime
) -> ReleaseRequest:
    registrar = people[REGISTRAR]
    received = timezone.localtime(day).replace(hour=10, minute=20, second=0, microsecond=0)
    ground = SecrecyGround.objects.get(provision="23 kap. 2 §")
    with as_on(received.date(), hour=11):
        request = actions.register_request(
            registrar,
            student_id=people[ARCHIVE_STUDENT].pk,
            received_at=received,
            requester="",
            requester_contact="",
            kinds=["assessments", "messages"],
            period_from=None,
            period_to=None,
            delivery=ReleaseRequest.Delivery.PAPER,
            handler_id=registrar.pk,
        )
        start = message.body.index(MASKED)
        actions.add_masking(
            registrar,
            request.pk,
            document="message",
            document_id=message.pk,
            field="body",
            start=start,
            end=start + len(MASKED),
            selected=MASKED,
            ground_id=ground.pk,
            reason=MASKING_REASON,
        )
    with as_on(received.date(), hour=15):
        actions.decide_release(registrar, request.pk, outcome=ReleaseRequest.Outcome.MASKED)
        actions.record_delivery(registrar, request.pk)
    return request


def _waiting_for_review(people: dict[str, User], now: datetime.datetime) -> ReleaseRequest:
    """Received now: after every document of Elsa's page the demo wrote, so all are in scope."""
    registrar = people[REGISTRAR]
    return actions.register_request(
        registrar,
        student_id=people[JOURNALIST_STUDENT].pk,
        received_at=now,
        requester="Maja Nilsson, Västerbottens-Kuriren",
        requester_contact="maja.nilsson@vk.example",
        kinds=["assessments", "messages"],
        period_from=None,
        period_to=None,
        delivery=ReleaseRequest.Delivery.EMAIL,
        handler_id=registrar.pk,
    )
