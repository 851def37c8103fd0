"""Reads for the pages of public-record requests: the list, the registration form's
handlers, and the review's maskings and grounds. Each is one query, whatever the number of
rows; who may see a request at all is the door's question (``records.release.doors``)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import policy
from accounts.models import School, StaffRole, User
from accounts.policy import AnyUser
from records.models import Masking, ReleaseRequest, SecrecyGround

HANDLER_ROLES = (StaffRole.Role.REGISTRAR, StaffRole.Role.PRINCIPAL)
SHOWN = ("open", "decided", "all")


def handling_schools(viewer: AnyUser) -> QuerySet[School]:
    """The schools whose requests the viewer registers and handles: where they are the
    registrar or the principal today (the same schools whose archive they keep)."""
    return policy.archive_keeper_schools(viewer)


def handlers(viewer: AnyUser) -> list[StaffRole]:
    """Who may be named to handle a request the viewer registers: the registrars and the
    principals of the viewer's schools today, with their users and schools, by school and name.
    Empty when the viewer handles no school's requests."""
    if not (viewer.is_authenticated and viewer.is_active):
        return []
    assert isinstance(viewer, User)
    on = policy.today()
    schools = StaffRole.objects.active(on).filter(user=viewer, role__in=HANDLER_ROLES).values("school")
    return list(
        StaffRole.objects.active(on)
        .filter(school__in=schools, role__in=HANDLER_ROLES, user__is_active=True)
        .select_related("user", "school")
        .order_by("school__name", "user__first_name", "user__last_name", "role")
    )


def listed_requests(requests: QuerySet[ReleaseRequest], shown: str) -> QuerySet[ReleaseRequest]:
    """The list's rows (``requests`` from the door: those the viewer handles), open or decided
    ones or all, with what each row shows, newest first."""
    if shown == "open":
        requests = requests.filter(status=ReleaseRequest.Status.OPEN)
    elif shown == "decided":
        requests = requests.filter(status=ReleaseRequest.Status.DECIDED)
    return requests.select_related("school", "student", "handler").order_by("-received_at", "-pk")


def maskings_of(request: ReleaseRequest) -> list[Masking]:
    """The request's maskings with their grounds and who made them, in document order."""
    return list(
        Masking.objects.filter(request=request)
        .select_related("ground", "created_by")
        .order_by("document", "document_id", "field", "start", "pk")
    )


def grounds_to_choose() -> list[SecrecyGround]:
    """The grounds in use, in their order (retired ones stay on the maskings made with them)."""
    return list(SecrecyGround.objects.filter(active=True).order_by("position", "provision"))
