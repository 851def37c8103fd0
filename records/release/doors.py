"""The one door to a request for public records, and the lists of the registrar's and the
principal's requests.

A request is opened only by whoever may handle it (``StudentRelation.may_handle_release``:
the registrar and the principal of the student's school, or of the last school for a
student who left); anyone else, and a request that does not exist, get the same
``NotFound``. Opening a request shows the student's records (the review page, the copy, the
decision), so each opening is written to the student's access log here, with what was
opened:

- ``release``: the request and its review (the documents in scope, with their texts);
- ``release_copy``: the released copy (or its preview);
- ``release_decision``: the decision document.

Actions on a request that is already open pass ``opening=False`` (``actions`` logs the
release itself when it makes the copy).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts import policy
from accounts.archive import standing_leavings
from accounts.errors import NotFound
from accounts.models import Enrolment, User
from accounts.openings import record_opening
from accounts.policy import AnyUser, StudentRelation
from records.models import ReleaseRequest

OPENINGS = ("release", "release_copy", "release_decision")
STUDENTS_LISTED = 20

_RELATED = ("school", "student", "handler", "created_by", "decided_by", "delivered_by", "refusal_ground")


def find_request(
    viewer: AnyUser, request_id: int, *, lock: bool = False
) -> tuple[ReleaseRequest, StudentRelation]:
    """The request with the viewer's relation to its student, or ``NotFound``. Not an
    opening. ``lock``: the request's row is locked (precondition: inside a transaction)."""
    if not (viewer.is_authenticated and viewer.is_active):
        raise NotFound
    rows = ReleaseRequest.objects.select_related(*_RELATED)
    if lock:
        rows = rows.select_for_update(of=("self",))
    request = rows.filter(pk=request_id).first()
    if request is None:
        raise NotFound
    relation = policy.relation_to_student(viewer, request.student_id)
    if not relation.may_handle_release:
        raise NotFound
    return request, relation


def release_request(
    viewer: AnyUser, request_id: int, *, what: str = "release", opening: bool = True
) -> tuple[ReleaseRequest, StudentRelation]:
    """The request and how the viewer stands to its student; the opening (``what``, one of
    ``OPENINGS``) is logged unless ``opening`` is false."""
    if what not in OPENINGS:
        raise ValueError(f"unknown opening of a request: {what!r}")
    request, relation = find_request(viewer, request_id)
    if opening:
        assert relation.viewer_id is not None
        record_opening(
            viewer_id=relation.viewer_id,
            student_id=request.student_id,
            what=what,
            object_id=request.pk,
            relation=relation,
        )
    return request, relation


def handled_requests(viewer: AnyUser) -> QuerySet[ReleaseRequest]:
    """The requests of the schools where the viewer is registrar or principal today, latest
    first, with what the list shows."""
    schools = policy.archive_keeper_schools(viewer).values("pk")
    return (
        ReleaseRequest.objects.filter(school__in=schools)
        .select_related("school", "student", "handler", "decided_by")
        .order_by("-received_at", "-pk")
    )


def students_for_request(viewer: AnyUser, query: str) -> QuerySet[User]:
    """Students of the viewer's schools (as registrar or principal) whose name matches every
    word of ``query``: those at the school now, and those whose last school it was before
    they left. At most ``STUDENTS_LISTED``; none for an empty query."""
    words = query.split()[:4]
    if not words or not (viewer.is_authenticated and viewer.is_active):
        return User.objects.none()
    on = policy.today()
    schools = policy.archive_keeper_schools(viewer, on).values("pk")
    at_school = Enrolment.objects.active(on).filter(student=OuterRef("pk"), school_class__school__in=schools)
    last_school = Subquery(
        Enrolment.objects.filter(student=OuterRef("pk"))
        .order_by("-starts_on", "-pk")
        .values("school_class__school")[:1]
    )
    left = Exists(standing_leavings(on).filter(student=OuterRef("pk")))
    matching = Q()
    for word in words:
        matching &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return (
        User.objects.alias(last_school=last_school)
        .filter(Q(Exists(at_school)) | (left & Q(last_school__in=schools)))
        .filter(matching)
        .order_by("last_name", "first_name", "pk")[:STUDENTS_LISTED]
    )
