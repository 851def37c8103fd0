"""Registering a request for public records (numbered per school and year) and recording
that its copy went out."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import NotFound, Refused
from accounts.models import Enrolment, School, StaffRole, User
from accounts.policy import AnyUser
from records.models import ReleaseRequest
from records.release.actions.base import (
    CONTACT_MAX,
    REQUESTER_MAX,
    member,
)
from records.release.documents import KINDS
from records.release.doors import find_request


def school_of_student(student_id: int, on: datetime.date | None = None) -> School | None:
    """The school a request for the student's records goes to: the school of the current
    enrolment, or of the latest one (the last school, keeping the archive of a student who
    left), as ``relation_to_student`` finds the registrar."""
    on = on or policy.today()
    enrolments = Enrolment.objects.filter(student_id=student_id).select_related("school_class__school")
    found = (
        enrolments.active(on).order_by("-starts_on", "-pk").first()
        or enrolments.order_by("-starts_on", "-pk").first()
    )
    return found.school_class.school if found is not None else None


def _handlers(school: School) -> list[int]:
    return list(
        StaffRole.objects.active(policy.today())
        .filter(school=school, role__in=[StaffRole.Role.REGISTRAR, StaffRole.Role.PRINCIPAL])
        .values_list("user_id", flat=True)
    )


def _check_kinds(kinds: Sequence[str]) -> list[str]:
    chosen = set(kinds)
    if not chosen:
        raise Refused("no_kinds", _("Choose at least one kind of document."), field="kinds")
    if not chosen <= set(KINDS):
        raise Refused("bad_kinds", _("Choose among the kinds of documents listed."), field="kinds")
    return [kind for kind in KINDS if kind in chosen]


def _check_contact(delivery: str, contact: str) -> None:
    if delivery not in ReleaseRequest.Delivery.values:
        raise Refused("bad_delivery", _("Choose how the copy is delivered."), field="delivery")
    if len(contact) > CONTACT_MAX:
        raise Refused(
            "contact_too_long",
            _("The contact may be at most %(n)d characters.") % {"n": CONTACT_MAX},
            field="requester_contact",
        )
    if delivery == ReleaseRequest.Delivery.EMAIL:
        try:
            validate_email(contact)
        except ValidationError:
            raise Refused(
                "email_needed",
                _("A copy by e-mail needs the e-mail address to send it to."),
                field="requester_contact",
            ) from None


def register_request(
    actor: AnyUser,
    *,
    student_id: int,
    received_at: datetime.datetime,
    requester: str,
    requester_contact: str,
    kinds: Sequence[str],
    period_from: datetime.date | None,
    period_to: datetime.date | None,
    delivery: str,
    handler_id: int | None,
) -> ReleaseRequest:
    """Register a request for the student's records. It is numbered per school (the
    student's school, or the last one) and year of arrival: the next number is taken while
    the school's row is locked, so two registrars never get the same number. The requester
    may be anonymous; ``handler_id`` must be a registrar or principal of that school."""
    actor = member(actor)
    student = User.objects.filter(pk=student_id).first()
    if student is None or not policy.relation_to_student(actor, student).may_handle_release:
        raise NotFound
    school = school_of_student(student.pk)
    if school is None:
        raise NotFound
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > timezone.now():
        raise Refused("future", _("The request cannot have arrived in the future."), field="received_at")
    requester = requester.strip()
    requester_contact = requester_contact.strip()
    if len(requester) > REQUESTER_MAX:
        raise Refused(
            "requester_too_long",
            _("The requester's name may be at most %(n)d characters.") % {"n": REQUESTER_MAX},
            field="requester",
        )
    _check_contact(delivery, requester_contact)
    chosen = _check_kinds(kinds)
    if period_from is not None and period_to is not None and period_from > period_to:
        raise Refused(
            "bad_period", _("The period must end on or after the day it starts."), field="period_to"
        )
    handler_id = actor.pk if handler_id is None else handler_id
    if handler_id not in _handlers(school):
        raise Refused(
            "bad_handler",
            _("The request must be handled by a registrar or the principal of the student's school."),
            field="handler_id",
        )
    year = timezone.localtime(received_at).year
    with transaction.atomic():
        # The school's row is the numbering's lock: requests of other schools go on.
        School.objects.select_for_update().filter(pk=school.pk).first()
        last = ReleaseRequest.objects.filter(school=school, year=year).aggregate(last=Max("number"))["last"]
        request = ReleaseRequest.objects.create(
            school=school,
            year=year,
            number=(last or 0) + 1,
            received_at=received_at,
            requester=requester,
            requester_contact=requester_contact,
            student=student,
            kinds=chosen,
            period_from=period_from,
            period_to=period_to,
            delivery=delivery,
            handler_id=handler_id,
            created_by=actor,
        )
    return request


def record_delivery(actor: AnyUser, request_id: int) -> ReleaseRequest:
    """Record that the copy (or the decision) was sent or handed over, by whom and when."""
    actor = member(actor)
    with transaction.atomic():
        request, _relation = find_request(actor, request_id, lock=True)
        if request.status != ReleaseRequest.Status.DECIDED:
            raise Refused("not_decided", _("Decide the request before recording the delivery."))
        if request.delivered_at is not None:
            raise Refused("delivered", _("The delivery is already recorded."))
        request.delivered_at = timezone.now()
        request.delivered_by = actor
        request.save(update_fields=["delivered_at", "delivered_by"])
    return request
