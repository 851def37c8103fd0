"""`make run`'s requests for public records: the registrar Birgitta has one request waiting
for review (a journalist's, for Elsa's assessments and messages, received today) and one
released with masking (last week's, for Linnea's archive, one passage masked under 23 kap.
2 § OSL), registered once, the real way."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.demo.school import SCHOOL_NAME
from accounts.models import School, User
from records import demo_release
from records.models import ReleaseRequest
from tests.dialogue.test_demo_elsa import run_the_demo_seeds
from tests.support.clients import verified_client
from writing.uploads import private_storage

pytestmark = pytest.mark.django_db


def test_the_registrar_has_one_request_waiting_and_one_released_with_masking() -> None:
    run_the_demo_seeds()
    school = School.objects.get(name=SCHOOL_NAME)
    assert school.registry_code == "BJB"
    released, waiting = ReleaseRequest.objects.filter(school=school).order_by("number")
    birgitta = User.objects.get(username="birgitta.sundstrom")

    assert released.student.username == "linnea.forsberg"
    assert released.reference == f"BJB {released.received_at.year}-0001"
    assert (released.status, released.outcome, released.requester) == ("decided", "masked", "")
    assert (timezone.localdate() - timezone.localdate(released.received_at)).days == 7
    assert released.decided_by == released.delivered_by == birgitta
    [masking] = released.maskings.select_related("ground")
    assert str(masking.ground) == "23 kap. 2 § OSL"
    assert masking.reason == demo_release.MASKING_REASON
    with private_storage().open(released.copy_html, "rb") as stored:
        copy = stored.read().decode()
    assert "specialläraren" not in copy
    assert "Vi följer upp det vid utvecklingssamtalet i april." in copy
    assert "23 kap. 2 §" in copy

    assert waiting.student.username == "elsa.lindqvist"
    assert (waiting.status, waiting.handler, waiting.delivery) == ("open", birgitta, "email")
    assert waiting.requester.startswith("Maja Nilsson")
    assert timezone.localdate(waiting.received_at) == timezone.localdate()
    assert not waiting.maskings.exists()

    client = verified_client(birgitta)
    start = client.get("/").content.decode()
    assert f'href="{reverse("releases")}"' in start
    listed = client.get(reverse("releases"))
    assert [row.request.pk for row in listed.context["rows"]] == [waiting.pk, released.pk]
    review = client.get(reverse("release", args=[waiting.pk]))
    assert review.status_code == 200
    kinds = {shown.document.kind for shown in review.context["documents"]}
    assert kinds == {"assessments", "messages"}
    assert "Får jag ta med min bok om hästar till läsvilan?" in review.content.decode()


def test_running_the_seed_again_registers_nothing() -> None:
    run_the_demo_seeds()
    before = list(ReleaseRequest.objects.values_list("pk", "status"))
    out = io.StringIO()
    call_command("seed_demo_releases", stdout=out)
    assert "0 registered" in out.getvalue()
    assert list(ReleaseRequest.objects.values_list("pk", "status")) == before
