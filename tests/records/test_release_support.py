"""Special support in a request for public records: each document as it stood when the
request arrived (a view or a decision made later is not in it), read in a fixed number of
queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogue.actions import support as actions
from records.release.actions import register_request
from records.release.documents import documents_in_scope
from tests.support.cast import Cast
from tests.support.support import support_objects

pytestmark = pytest.mark.django_db


def test_the_support_documents_as_they_stood_when_the_request_arrived(cast: Cast) -> None:
    objects = support_objects(cast)
    case = objects["support_case"]
    request = register_request(
        cast.registrar,
        student_id=cast.student.pk,
        received_at=timezone.now(),
        requester="",
        requester_contact="",
        kinds=["support"],
        period_from=None,
        period_to=None,
        delivery="paper",
        handler_id=cast.registrar.pk,
    )
    # After the request arrived: a later view and the outcome are not in it.
    actions.add_support_view(cast.guardian_2, case.pk, body="Senare synpunkt.")
    actions.record_support_outcome(
        cast.principal, case.pk, needs_support=False, summary="Räcker.", grounds="Skäl."
    )
    with CaptureQueriesContext(connection) as captured:
        documents = documents_in_scope(request)
    assert len(captured) == 4  # adaptations, their follow-ups, reports, views
    keys = sorted(document.key for document in documents)
    assert keys == sorted(
        [
            ("adaptation", objects["adaptation"].pk),
            ("adaptation_follow_up", objects["adaptation_follow_up"].pk),
            ("support_report", case.pk),
            ("support_investigation", case.pk),
            ("support_view", objects["support_view"].pk),
        ]
    )
    report = next(document for document in documents if document.key[0] == "support_report")
    observations = report.text("observations")
    assert observations is not None
    assert observations.value == case.observations
