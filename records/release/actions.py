"""Handling a request for public records: register it, mask what is confidential, decide,
and record that the copy went out.

Every action takes ids, computes the actor's relation to the student once
(``may_handle_release``: the registrar or the principal of the student's school), answers
anyone else as if the request did not exist (``NotFound``), refuses bad input with a
``Refused`` naming the field, and writes in one transaction on the locked request row.

Deciding builds the released copy (HTML and PDF, unless refused) and the decision document
(masking or refusal) and stores them in the private storage under random names. If anything
fails, the transaction rolls back and the files written so far are removed: nothing is
half-saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import NotFound, Refused
from accounts.models import Enrolment, School, StaffRole, User
from accounts.openings import record_opening
from accounts.policy import AnyUser
from records.models import Masking, ReleaseRequest, SecrecyGround
from records.release.copy import build_copy, copy_html
from records.release.decision import DECISION_OUTCOMES, decision_html, decision_pdf
from records.release.documents import DOCUMENT_KINDS, KINDS, document_by_key, documents_in_scope
from records.release.doors import find_request
from records.release.masking import StaleMasking, check_range, text_sha256
from records.release.pdf import UnreadableAppendix
from writing.uploads import private_storage

# The language of the released copy and the decision: the authority's (Språklagen).
COPY_LANGUAGE = "sv"
REQUESTER_MAX = 200
CONTACT_MAX = 300
MASKING_REASON_MAX = 300
REFUSAL_REASON_MAX = 500


def _member(actor: AnyUser) -> User:
    if not (actor.is_authenticated and actor.is_active):
        raise NotFound
    assert isinstance(actor, User)
    return actor


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
    actor = _member(actor)
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


def _still_open(request: ReleaseRequest) -> None:
    if request.status != ReleaseRequest.Status.OPEN:
        raise Refused("decided", _("The request is already decided; its maskings can no longer change."))


def _ground(ground_id: int | None, field: str) -> SecrecyGround:
    ground = SecrecyGround.objects.filter(pk=ground_id, active=True).first() if ground_id else None
    if ground is None:
        raise Refused("bad_ground", _("Choose a ground for secrecy from the list."), field=field)
    return ground


def add_masking(
    actor: AnyUser,
    request_id: int,
    *,
    document: str,
    document_id: int,
    field: str = "",
    start: int | None = None,
    end: int | None = None,
    selected: str = "",
    ground_id: int,
    reason: str = "",
) -> Masking:
    """Mask a passage (``field`` with ``start``/``end``: code points of the stored text,
    ``selected`` the text the reviewer selected, which must be exactly that range), or,
    without a field, a whole document or attachment. The document must be one the request
    covers; only while the request is open."""
    actor = _member(actor)
    reason = reason.strip()
    if len(reason) > MASKING_REASON_MAX:
        raise Refused(
            "reason_too_long",
            _("The reason may be at most %(n)d characters.") % {"n": MASKING_REASON_MAX},
            field="reason",
        )
    with transaction.atomic():
        request, _relation = find_request(actor, request_id, lock=True)
        _still_open(request)
        ground = _ground(ground_id, "ground_id")
        key = (document, document_id)
        found = document_by_key(request, key) if document in DOCUMENT_KINDS else None
        if found is None or (document == "attachment" and found.file(key) is None):
            raise Refused(
                "not_in_scope", _("That document is not covered by this request."), field="document"
            )
        sha = ""
        if field:
            text = found.text(field) if document != "attachment" else None
            if text is None:
                raise Refused("unknown_text", _("That text is not part of the document."), field="field")
            try:
                check_range(text.value, start, end)
            except ValueError:
                raise Refused(
                    "bad_range",
                    _("The selection is outside the text. Select the passage again."),
                    field="selected",
                ) from None
            assert start is not None
            assert end is not None
            if selected != text.value[start:end]:
                raise Refused(
                    "selection_changed",
                    _(
                        "The selected text does not match the document's text. Reload the page and select "
                        "the passage again."
                    ),
                    field="selected",
                )
            sha = text_sha256(text.value)
        elif start is not None or end is not None or selected:
            raise Refused("bad_range", _("Name the text the passage is in."), field="field")
        same = request.maskings.filter(
            document=document, document_id=document_id, field=field, start=start, end=end
        )
        existing = same.first()
        if existing is not None:
            return existing  # the same passage sent twice (a double click): kept once
        return Masking.objects.create(
            request=request,
            document=document,
            document_id=document_id,
            field=field,
            start=start,
            end=end,
            text_sha256=sha,
            ground=ground,
            reason=reason,
            created_by=actor,
        )


def remove_masking(actor: AnyUser, request_id: int, masking_id: int) -> None:
    """Unmask: only while the request is open."""
    actor = _member(actor)
    with transaction.atomic():
        request, _relation = find_request(actor, request_id, lock=True)
        _still_open(request)
        removed, _by_model = request.maskings.filter(pk=masking_id).delete()
        if not removed:
            raise NotFound("unknown_masking", _("That masking does not exist."))


def _store(data: bytes, extension: str, saved: list[str]) -> str:
    name = private_storage().save(f"releases/{get_random_string(32)}{extension}", ContentFile(data))
    saved.append(name)
    return name


def _stale() -> Refused:
    return Refused(
        "stale_masking",
        _("A masking no longer fits its document. Remove it and mask the passage again."),
    )


def decide_release(
    actor: AnyUser,
    request_id: int,
    *,
    outcome: str,
    refusal_ground_id: int | None = None,
    refusal_reason: str = "",
) -> ReleaseRequest:
    """Decide: release in full (no maskings), with masking (at least one), or refuse (with a
    ground). Builds and stores the copy (not on refusal) and the decision document (masking
    or refusal), and logs the release in the student's access log."""
    actor = _member(actor)
    saved: list[str] = []
    try:
        with transaction.atomic():
            request, relation = find_request(actor, request_id, lock=True)
            _still_open(request)
            maskings = list(request.maskings.select_related("ground"))
            _check_outcome(outcome, maskings)
            request.outcome = outcome
            if outcome == ReleaseRequest.Outcome.REFUSED:
                request.refusal_ground = _ground(refusal_ground_id, "refusal_ground_id")
                request.refusal_reason = _refusal_reason(refusal_reason)
            request.status = ReleaseRequest.Status.DECIDED
            request.decided_by = actor
            request.decided_at = timezone.now()
            with translation.override(COPY_LANGUAGE):
                if outcome != ReleaseRequest.Outcome.REFUSED:
                    try:
                        built = build_copy(
                            request, documents_in_scope(request), maskings, language=COPY_LANGUAGE
                        )
                    except StaleMasking as error:
                        raise _stale() from error
                    except UnreadableAppendix as error:
                        raise Refused(
                            "unreadable_attachment",
                            _(
                                "The attached PDF %(name)s cannot be read to be added to the copy. Withhold "
                                "it here (mask it whole) and hand it over separately."
                            )
                            % {"name": error.name},
                        ) from error
                    request.copy_html = _store(built.html.encode("utf-8"), ".html", saved)
                    request.copy_pdf = _store(built.pdf, ".pdf", saved)
                if outcome in DECISION_OUTCOMES:
                    html = decision_html(request, maskings)
                    request.decision_html = _store(html.encode("utf-8"), ".html", saved)
                    request.decision_pdf = _store(decision_pdf(html), ".pdf", saved)
            request.save()
            record_opening(
                viewer_id=actor.pk,
                student_id=request.student_id,
                what="release_copy" if request.copy_pdf else "release_decision",
                object_id=request.pk,
                relation=relation,
            )
    except BaseException:
        for name in saved:
            private_storage().delete(name)
        raise
    return request


def _check_outcome(outcome: str, maskings: Sequence[Masking]) -> None:
    if outcome not in ReleaseRequest.Outcome.values:
        raise Refused("bad_outcome", _("Choose a decision."), field="outcome")
    if outcome == ReleaseRequest.Outcome.FULL and maskings:
        raise Refused(
            "has_maskings",
            _("Passages are masked: release with masking, or remove the maskings to release in full."),
            field="outcome",
        )
    if outcome == ReleaseRequest.Outcome.MASKED and not maskings:
        raise Refused(
            "no_maskings",
            _("Nothing is masked: release in full, or mask what is confidential."),
            field="outcome",
        )


def _refusal_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > REFUSAL_REASON_MAX:
        raise Refused(
            "reason_too_long",
            _("The reason may be at most %(n)d characters.") % {"n": REFUSAL_REASON_MAX},
            field="refusal_reason",
        )
    return reason


def record_delivery(actor: AnyUser, request_id: int) -> ReleaseRequest:
    """Record that the copy (or the decision) was sent or handed over, by whom and when."""
    actor = _member(actor)
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


def preview_html(actor: AnyUser, request_id: int) -> str:
    """The copy exactly as it is released: for an open request, built now by the same code
    the decision uses (the documents as they stood when the request arrived, the maskings as
    they are); for a decided one, the copy that was stored. Not an opening (the page showing
    it opens the request through the door)."""
    request, _relation = find_request(_member(actor), request_id)
    return copy_for(request)


def copy_for(request: ReleaseRequest) -> str:
    if request.status == ReleaseRequest.Status.DECIDED:
        if not request.copy_html:
            raise Refused("no_copy", _("The request was refused: no copy was released."))
        with private_storage().open(request.copy_html, "rb") as stored:
            return bytes(stored.read()).decode("utf-8")
    maskings = list(request.maskings.select_related("ground"))
    try:
        return copy_html(request, documents_in_scope(request), maskings, language=COPY_LANGUAGE)
    except StaleMasking as error:
        raise _stale() from error
