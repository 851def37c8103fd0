"""The assessment pages as the server draws them: a corrected assessment shows its current
version and folds the earlier ones, and the teacher's class flow has an index of students
to jump to."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.models import User
from dialogue.actions import assessments as a
from dialogue.models import Assessment
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db


def _draft(cast: Cast, text: str, student: User | None = None) -> Assessment:
    fields: dict[str, Any] = {"levels": {}, "can_text": text, "develop_text": ""}
    whom = student or cast.student
    draft, _findings = a.save_draft(cast.teacher, cast.class_4a, whom, cast.maths, **fields)
    return draft


def _publish(cast: Cast, text: str) -> Assessment:
    return a.publish_assessment(cast.teacher, _draft(cast, text).pk)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_corrected_assessment_shows_the_current_version_and_folds_the_earlier_ones(cast: Cast) -> None:
    first = _publish(cast, "Version ett.")
    second = _publish(cast, "Version två.")
    client = verified_client(cast.guardian_1)
    url = f"/students/{cast.student.pk}/assessments/{first.pk}/"
    html = client.get(url).content.decode()
    folded_at = html.index('<details class="card earlier-versions" data-testid="earlier-versions">')
    # The current version first and open; the replaced one inside the fold.
    assert html.index("Version två.") < folded_at < html.index("Version ett.")
    assert "Tidigare version (1)" in html
    assert html.count('data-testid="assessment-version"') == 2
    assert f'id="version-{second.pk}"' in html[:folded_at]

    expected = _count(client, url)
    _publish(cast, "Version tre.")
    _publish(cast, "Version fyra.")
    html = client.get(url).content.decode()
    assert "Tidigare versioner (3)" in html
    assert html.index("Version fyra.") < html.index("earlier-versions")
    assert _count(client, url) == expected


def test_an_assessment_never_corrected_has_nothing_folded(cast: Cast) -> None:
    only = _publish(cast, "Den enda.")
    html = (
        verified_client(cast.student)
        .get(f"/students/{cast.student.pk}/assessments/{only.pk}/")
        .content.decode()
    )
    assert "Den enda." in html
    assert "earlier-versions" not in html


def test_the_class_flow_opens_with_an_index_of_students_and_their_state(cast: Cast) -> None:
    classmate = p.create_person(SYSTEM, username="klasskamrat", first_name="Kim", last_name="Klass")
    m.enrol_student(SYSTEM, classmate, cast.class_4a)
    _publish(cast, "Klart.")
    _draft(cast, "På gång.", classmate)
    response = verified_client(cast.teacher).get(f"/classes/{cast.class_4a.pk}/assessments/{cast.maths.pk}/")
    page = response.content.decode()
    start = page.index('data-testid="flow-index"')
    index = page[start : page.index("</nav>", start)]
    assert f'href="#student-{cast.student.pk}"' in index
    assert f'href="#student-{classmate.pk}"' in index
    assert 'data-index-state="published">Publicerat<' in index
    assert 'data-index-state="draft">Utkast<' in index
    assert 'data-count="published">1<' in index
    assert 'data-count="missing">0<' in index
    # Each student's section is a jump target that takes focus, with a way back.
    assert f'id="student-{cast.student.pk}" tabindex="-1"' in page
    assert page.count('href="#flow-index"') == 2
