"""Every page of the access matrix that shows something of a student's records is opened
through the one door exactly once per request, which writes exactly one access-log row, and a
refused request records nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Max

from accounts.openings import opened, opened_together
from records.models import Opening
from tests.support.cast import ROLES, Cast
from tests.support.clients import verified_client
from tests.test_access_matrix import ROWS, matrix_extra

RECORD_PREFIXES = ("/students/", "/pages/")


@pytest.fixture
def extra(cast: Cast) -> dict[str, Any]:
    return matrix_extra(cast)


def _record_rows(cast: Cast, objects: dict[str, Any]) -> dict[str, str]:
    rows = {}
    for name, row in ROWS.items():
        if row.method != "get":
            continue
        url = row.url(cast, objects)
        if url.startswith(RECORD_PREFIXES):
            rows[name] = url
    return rows


def test_every_record_page_opens_through_the_door_exactly_once(cast: Cast, extra: dict[str, Any]) -> None:
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append(kwargs)

    def listen_together(sender: object, *, relations: dict[int, Any], **kwargs: Any) -> None:
        # The search's openings, recorded together: one each.
        heard.extend({**kwargs, "student_id": student_id} for student_id in relations)

    rows = _record_rows(cast, extra)
    assert len(rows) >= 10  # the student page and its parts, the dialogue's history and files
    failures = []
    opened.connect(listen, dispatch_uid="test-matrix-openings")
    opened_together.connect(listen_together, dispatch_uid="test-matrix-openings-together")
    try:
        for name, url in rows.items():
            for role in ROLES:
                person = cast.person(role)
                heard.clear()
                last = Opening.objects.aggregate(last=Max("pk"))["last"] or 0
                status = verified_client(person).get(url).status_code
                expected = 1 if status == 200 else 0
                written = list(Opening.objects.filter(pk__gt=last))
                if len(heard) != expected:
                    failures.append(f"{name} as {role}: {status} with {len(heard)} openings")
                elif heard and person is not None and heard[0]["viewer_id"] != person.pk:
                    failures.append(f"{name} as {role}: the opening names someone else")
                if len(written) != expected:
                    failures.append(f"{name} as {role}: {status} wrote {len(written)} access-log rows")
                elif (
                    written
                    and person is not None
                    and (written[0].viewer_id, written[0].channel)
                    != (
                        person.pk,
                        Opening.Channel.PAGE,
                    )
                ):
                    failures.append(f"{name} as {role}: the access-log row names someone else")
    finally:
        opened.disconnect(dispatch_uid="test-matrix-openings")
        opened_together.disconnect(dispatch_uid="test-matrix-openings-together")
    assert not failures, "\n".join(failures)


pytestmark = pytest.mark.django_db
