"""The step-up at the door (issue 18, point 3): every part of an archived student's page
(its threads' history, a message's versions, a file, the plan, goals, talks, action
programmes, support, the search, the live socket) asks the school (the principal, the
registrar) for a strong login within the last 15 minutes, as the page itself does, and logs
nothing until it is shown. The student and her guardians read their own archive without
it; those who may not read it get the outsiders' 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions import SYSTEM
from accounts.actions.leaving import record_leaving
from accounts.models import Leaving
from records.models import Opening
from tests.accounts.flows import code_for
from tests.support.cast import Cast
from tests.support.clients import JSON, STEP_UP, asked_for_step_up, verified_client
from tests.support.sockets import open_socket, subscribe
from tests.test_access_matrix import ROWS, matrix_extra


@pytest.fixture
def archived(cast: Cast) -> dict[str, Any]:
    """Anna's full page (messages with a file, goals, an assessment, talks, an action
    programme, special support), and then Anna leaves today: her page is an archive that
    the principal and registrar of Norrskolan read."""
    extra = matrix_extra(cast)
    record_leaving(SYSTEM, cast.student.pk, left_on=timezone.localdate(), reason=Leaving.Reason.FINISHED)
    return extra


def _parts(cast: Cast, extra: dict[str, Any]) -> dict[str, str]:
    """The parts of Anna's archived page, each as its own URL."""
    student, page = cast.student.pk, extra["page"].pk
    return {
        "page": reverse("student", args=[student]),
        "thread history": reverse("thread-history", args=[page, extra["thread"].pk]),
        "message versions": reverse("message-revisions", args=[page, extra["message"].pk]),
        "file": reverse("attachment", args=[page, extra["attachment"].pk]),
        "plan": reverse("plan", args=[student]),
        "goals": reverse("goals", args=[student]),
        "self-assessments": reverse("self-assessments", args=[student]),
        "talks": reverse("student-talks", args=[student]),
        "talk": reverse("talk", args=[student, extra["talk"].pk]),
        "action programmes": reverse("action-programmes", args=[student]),
        "action programme": reverse("action-programme", args=[student, extra["programme"].pk]),
        "support": reverse("support", args=[student]),
        "page search": f"{reverse('student-search', args=[student])}?q=teckning",
        "search": f"{reverse('search')}?q=teckning",
    }


def _openings(viewer: Any) -> int:
    return Opening.objects.filter(viewer_id=viewer.pk).count()


def test_every_part_of_an_archive_asks_the_school_and_logs_nothing_until_shown(
    cast: Cast, archived: dict[str, Any]
) -> None:
    for role in ("registrar", "principal"):
        person = cast.person(role)
        weak = verified_client(person, strong=False)
        strong = verified_client(person)
        for name, url in _parts(cast, archived).items():
            before = _openings(person)
            assert asked_for_step_up(weak.get(url)) == url, f"{role} {name}"  # back to the same URL
            assert _openings(person) == before, f"{role} {name}: logged without being shown"
            assert strong.get(url).status_code == 200, f"{role} {name}"
            assert _openings(person) > before, f"{role} {name}: shown without being logged"


def test_no_part_of_the_archive_in_the_access_matrix_opens_without_a_strong_login(
    cast: Cast, archived: dict[str, Any]
) -> None:
    """Every GET the matrix knows on Anna's page (``/students/<id>/``, ``/pages/<id>/``, the
    searches) that the registrar reads with a strong login asks her without one."""
    prefixes = (f"/students/{cast.student.pk}/", f"/pages/{archived['page'].pk}/", "/search/")
    weak = verified_client(cast.registrar, strong=False)
    strong = verified_client(cast.registrar)
    read = []
    for name, row in ROWS.items():
        url = row.url(cast, archived)
        if row.method != "get" or not url.startswith(prefixes) or name == "search@empty":
            continue  # (the search form alone shows nothing of anyone's records)
        if strong.get(url).status_code != 200:
            continue  # not shown to her (a form of a page she reads is not on an archive)
        read.append(name)
        answer = weak.get(url)
        assert answer.status_code == 302, f"{name}: {answer.status_code}"
        assert asked_for_step_up(answer) == url, name
    assert len(read) >= 15, read


def test_a_script_gets_the_one_error_shape_naming_the_step_up(cast: Cast, archived: dict[str, Any]) -> None:
    url = _parts(cast, archived)["thread history"]
    response = verified_client(cast.registrar, strong=False).get(url, headers=JSON)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "strong_login_needed"
    assert error["message"]
    assert urlsplit(error["step_up_url"]).path == STEP_UP
    assert parse_qs(urlsplit(error["step_up_url"]).query)["next"] == [url]
    assert _openings(cast.registrar) == 0


def test_the_student_and_her_guardians_read_their_own_archive_without_a_step_up(
    cast: Cast, archived: dict[str, Any]
) -> None:
    for role in ("student", "guardian_1", "guardian_2"):
        client = verified_client(cast.person(role), strong=False)
        for name, url in _parts(cast, archived).items():
            if name == "support":
                continue  # the school's special support, not shown to the family
            assert client.get(url).status_code == 200, f"{role} {name}"


def test_those_who_may_not_read_the_archive_get_404_never_the_question(
    cast: Cast, archived: dict[str, Any]
) -> None:
    """Her teachers no longer read it; the other school's principal never did."""
    for role in ("teacher", "other_teacher", "other_principal", "other_guardian", "school_admin"):
        client = verified_client(cast.person(role), strong=False)
        for name, url in _parts(cast, archived).items():
            if name == "search":
                continue  # everyone may search their own pages; Anna's are not among them
            assert client.get(url).status_code == 404, f"{role} {name}"
    assert not Opening.objects.filter(student_id=cast.student.pk, what="archive").exists()


def test_a_search_that_shows_an_archive_asks_the_school(cast: Cast, archived: dict[str, Any]) -> None:
    """A search across all pages shows snippets of an archive too: the same question, and the
    search is shown afterwards. Without a hit in an archive it is not asked."""
    weak = verified_client(cast.principal, strong=False)
    url = f"{reverse('search')}?q=teckning"
    assert asked_for_step_up(weak.get(url)) == url
    assert not Opening.objects.filter(viewer_id=cast.principal.pk, what="search").exists()
    nothing = f"{reverse('search')}?q=ingenting"
    assert weak.get(nothing).status_code == 200


# --- The live socket -------------------------------------------------------------------------


def _page(cast: Cast) -> int:
    from dialogue.models import StudentPage

    return int(StudentPage.objects.get(student=cast.left_student).pk)


def _live_openings(viewer: Any) -> list[str]:
    return list(Opening.objects.filter(viewer_id=viewer.pk).values_list("what", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_following_an_archive_live_asks_the_school_for_a_strong_login() -> None:
    from tests.support.cast import build_cast

    cast = await database_sync_to_async(build_cast)()
    page = await database_sync_to_async(_page)(cast)
    opened = database_sync_to_async(_live_openings)

    communicator, connected, _code = await open_socket(cast.registrar, strong=False)
    assert connected
    try:
        answer = await subscribe(communicator, page)
        assert answer["type"] == "error", answer
        assert answer["code"] == "strong_login_needed"
        assert await communicator.receive_nothing(timeout=0.5)  # and nothing follows
    finally:
        await communicator.disconnect()
    assert await opened(cast.registrar) == []

    communicator, connected, _code = await open_socket(cast.registrar)
    try:
        assert (await subscribe(communicator, page))["type"] == "subscribed"
    finally:
        await communicator.disconnect()
    assert await opened(cast.registrar) == ["live"]

    # She reads her own archive live without it; her former teacher gets "not found".
    for person, expected in ((cast.left_student, "subscribed"), (cast.teacher, "error")):
        communicator, connected, _code = await open_socket(person, strong=False)
        try:
            answer = await subscribe(communicator, page)
            assert answer["type"] == expected, answer
            if expected == "error":
                assert answer["code"] == "not_found"
        finally:
            await communicator.disconnect()


# --- Setting up an authenticator from the step-up page ---------------------------------------


def test_setting_up_an_authenticator_from_the_step_up_comes_back_to_next(cast: Cast) -> None:
    """A guardian (no authenticator) asked for a strong login sets one up, and the recovery
    codes page continues to the page she asked for; an unsafe ``next`` to the start page."""
    for target, continues_to in (("/my-data/", "/my-data/"), ("https://evil.example/", reverse("start"))):
        TOTPDevice.objects.filter(user=cast.guardian_1).delete()
        client = verified_client(cast.guardian_1, strong=False)
        setup = f"{reverse('otp-setup')}?next={target}"
        page = client.get(setup).content.decode()
        assert f'name="next" value="{continues_to}"' in page
        started = client.post(reverse("otp-setup"), {"step": "start", "next": target})
        assert f'name="next" value="{continues_to}"' in started.content.decode()
        device = TOTPDevice.objects.get(user=cast.guardian_1, confirmed=False)
        confirm = {"step": "confirm", "code": code_for(device), "next": target}
        done = client.post(reverse("otp-setup"), confirm)
        assert done.status_code == 200
        html = done.content.decode()
        assert 'data-testid="recovery-codes"' in html
        assert f'href="{continues_to}" data-testid="recovery-codes-continue"' in html
        # Confirming the code was a strong login: the step-up goes straight on.
        if continues_to == target:
            assert client.get(STEP_UP, {"next": target})["Location"] == target


def test_new_recovery_codes_continue_to_next(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    html = client.post(reverse("otp-recovery-codes"), {"next": "/archive/"}).content.decode()
    assert 'href="/archive/" data-testid="recovery-codes-continue"' in html
    html = client.post(reverse("otp-recovery-codes")).content.decode()
    assert f'href="{reverse("start")}" data-testid="recovery-codes-continue"' in html
