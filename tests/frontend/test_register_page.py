"""The school administrator's register page (Elevregistret): the last run with its changes
and problems in Swedish, the buttons that queue a run, who may open it, and that no civic
number ever reaches the page. Runs are real: the sync reads a real SS 12000 server."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.models import School, StaffRole, User
from roster import jobs
from roster.models import RosterRun, RosterRunSchool, SourceLink
from roster.sources import configured_reader
from roster.sync import sync
from tests.roster.conftest import SmallMunicipality, municipality, ss12000  # noqa: F401 - fixtures
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.ss12000 import SS12000Server

pytestmark = pytest.mark.django_db


def _first_import(municipality: SmallMunicipality) -> School:  # noqa: F811
    reader = configured_reader()
    assert reader is not None
    run = sync(reader, trigger=RosterRun.Trigger.COMMAND)
    assert run.status == RosterRun.Status.DONE, run.error
    link = SourceLink.objects.get(kind=SourceLink.Kind.SCHOOL, source_id=municipality.school["id"])
    return School.objects.get(pk=link.local_id)


def _admin_of(school: School, username: str = "admin.bjork") -> User:
    admin = p.create_person(SYSTEM, username=username, first_name="Berit", last_name="Björk")
    m.grant_staff_role(SYSTEM, admin, school, StaffRole.Role.SCHOOL_ADMIN)
    return admin


def _changes_and_a_problem(municipality: SmallMunicipality, server: SS12000Server) -> str:  # noqa: F811
    """Elsa moves to 4B tomorrow, and a new student comes with a civic number whose control
    digit is wrong (a problem, left for a person). Returns the bad number."""
    elsa = municipality.students[0]
    municipality.move_student(
        elsa, municipality.class_4a, municipality.class_4b, timezone.localdate() + datetime.timedelta(days=1)
    )
    good = municipality.civic_number(datetime.date(2016, 3, 14))
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    municipality.add_student(municipality.school, municipality.class_4a, "Nils", "Nyström", civic=bad)
    server.load(municipality.muni)
    return bad


@pytest.fixture
def synced(ss12000: SS12000Server, municipality: SmallMunicipality) -> dict[str, Any]:  # noqa: F811
    school = _first_import(municipality)
    admin = _admin_of(school)
    bad = _changes_and_a_problem(municipality, ss12000)
    run = jobs.request_sync(admin, school.pk, dry_run=True)
    assert jobs.run_queued() == 1
    run.refresh_from_db()
    return {"school": school, "admin": admin, "bad": bad, "run": run, "server": ss12000}


def test_the_page_shows_the_last_runs_changes_and_problems_in_swedish(synced: dict[str, Any]) -> None:
    response = verified_client(synced["admin"]).get(reverse("register", args=[synced["school"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Elevregistret" in html
    assert synced["server"].url in html  # where the data comes from
    assert "1 problem att lösa" in html
    assert "Nils" in html  # the problem names the person it concerns
    assert "Vad körningen skulle ändra" in html
    assert "Elsa Andersson" in html  # her move, said as a change
    assert "Provkörning: inget ändrades" in html
    # Said in Swedish, not in the source language.
    assert "problem to solve" not in html
    assert "What the run would change" not in html


def test_older_runs_are_listed_and_each_has_its_page(synced: dict[str, Any]) -> None:
    school, admin = synced["school"], synced["admin"]
    jobs.request_sync(admin, school.pk, dry_run=False)
    jobs.run_queued()
    client = verified_client(admin)
    html = client.get(reverse("register", args=[school.pk])).content.decode()
    older = reverse("register-run", args=[school.pk, synced["run"].pk])
    assert f'href="{older}"' in html
    page = client.get(older)
    assert page.status_code == 200
    assert "1 problem att lösa" in page.content.decode()


def test_the_dry_run_button_queues_a_dry_run_and_says_so(synced: dict[str, Any]) -> None:
    school, admin = synced["school"], synced["admin"]
    client = verified_client(admin)
    response = client.post(reverse("register-sync", args=[school.pk]), {"dry_run": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("register", args=[school.pk])
    queued = RosterRun.objects.get(status=RosterRun.Status.QUEUED)
    assert (queued.dry_run, queued.school, queued.requested_by) == (True, school, admin)
    html = response.content.decode()
    assert "En provkörning är beställd" in html
    assert 'data-testid="run-pending"' in html
    assert 'data-testid="dry-run"' not in html
    # A second ask while it waits is refused, with the reason at the top of the page.
    again = client.post(reverse("register-sync", args=[school.pk]), {"dry_run": "0"}, follow=True)
    assert "väntar eller pågår redan" in again.content.decode()
    assert RosterRun.objects.filter(status=RosterRun.Status.QUEUED).count() == 1


def test_sync_now_queues_a_real_run(synced: dict[str, Any]) -> None:
    school = synced["school"]
    verified_client(synced["admin"]).post(reverse("register-sync", args=[school.pk]), {"dry_run": "0"})
    assert RosterRun.objects.get(status=RosterRun.Status.QUEUED).dry_run is False


def test_an_administrator_of_another_school_gets_the_outsiders_404(synced: dict[str, Any]) -> None:
    other = s.create_school(SYSTEM, name="Söderskolan", municipality="Exempelkommun")
    outsider = _admin_of(other, "admin.soder")
    school, run = synced["school"], synced["run"]
    client = verified_client(outsider)
    assert client.get(reverse("register", args=[school.pk])).status_code == 404
    assert client.get(reverse("register-run", args=[school.pk, run.pk])).status_code == 404
    assert client.post(reverse("register-sync", args=[school.pk]), {"dry_run": "1"}).status_code == 404
    assert RosterRun.objects.filter(status=RosterRun.Status.QUEUED).count() == 0
    # Nor does a run of this school open under the school they do administer.
    own = reverse("register-run", args=[other.pk, run.pk])
    assert client.get(own).status_code == 404


def test_no_civic_number_reaches_the_page_even_when_a_problem_concerns_one(synced: dict[str, Any]) -> None:
    school = synced["school"]
    client = verified_client(synced["admin"])
    pages = [
        client.get(reverse("register", args=[school.pk])).content.decode(),
        client.get(reverse("register-run", args=[school.pk, synced["run"].pk])).content.decode(),
    ]
    numbers = {synced["bad"]} | {
        person["civicNo"]["value"] for person in synced["server"].records("persons") if person.get("civicNo")
    }
    for html in pages:
        assert "1 problem att lösa" in html
        for number in numbers:
            for shown in (number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"):
                assert shown not in html


def test_without_a_register_the_page_says_so_and_offers_no_buttons(cast: Cast, settings: Any) -> None:
    settings.ROSTER_API_URL = None
    settings.ROSTER_FILE = None
    html = verified_client(cast.school_admin).get(reverse("register", args=[cast.school.pk])).content.decode()
    assert "Inget elevregister är inställt" in html
    assert 'data-testid="sync-now"' not in html


def test_the_page_names_the_file_not_its_folder(cast: Cast, settings: Any) -> None:
    settings.ROSTER_API_URL = None
    settings.ROSTER_FILE = "/srv/hemligt/kommun/elever.json"
    html = verified_client(cast.school_admin).get(reverse("register", args=[cast.school.pk])).content.decode()
    assert "elever.json" in html
    assert "/srv/hemligt" not in html


def test_the_start_page_links_the_administrator_to_the_register(cast: Cast) -> None:
    html = verified_client(cast.school_admin).get(reverse("start")).content.decode()
    assert f'href="{reverse("register", args=[cast.school.pk])}"' in html
    teacher = verified_client(cast.teacher).get(reverse("start")).content.decode()
    assert "/register/" not in teacher


def test_the_register_page_renders_in_a_fixed_number_of_queries(
    synced: dict[str, Any], django_assert_num_queries: Any
) -> None:
    school, admin = synced["school"], synced["admin"]
    for _ in range(3):  # older runs: the count does not grow with them
        jobs.request_sync(admin, school.pk, dry_run=True)
        jobs.run_queued()
    client = verified_client(admin)
    url = reverse("register", args=[school.pk])
    client.get(url)
    # session, user, the code step's device, the school (the policy), runs with requesters,
    # their results at the school: the same however many runs and changes
    with django_assert_num_queries(QUERIES_REGISTER):
        assert client.get(url).status_code == 200
    run_url = reverse("register-run", args=[school.pk, synced["run"].pk])
    with django_assert_num_queries(QUERIES_RUN):
        assert client.get(run_url).status_code == 200


QUERIES_REGISTER = 6
QUERIES_RUN = 6


def test_a_run_of_every_school_that_did_not_read_this_one_is_not_listed(synced: dict[str, Any]) -> None:
    school = synced["school"]
    other = s.create_school(SYSTEM, name="Söderskolan", municipality="Exempelkommun")
    elsewhere = RosterRun.objects.create(trigger=RosterRun.Trigger.NIGHTLY, status=RosterRun.Status.DONE)
    RosterRunSchool.objects.create(
        run=elsewhere,
        school=other,
        source_id="soder",
        name=other.name,
        status=RosterRunSchool.Status.UNCHANGED,
    )
    stopped = RosterRun.objects.create(
        trigger=RosterRun.Trigger.NIGHTLY, status=RosterRun.Status.FAILED, error="Registret svarade inte."
    )
    html = verified_client(synced["admin"]).get(reverse("register", args=[school.pk])).content.decode()
    assert reverse("register-run", args=[school.pk, elsewhere.pk]) not in html
    # A run of every school that stopped before reaching any concerns this one too.
    assert "Registret svarade inte." in html
    assert stopped.pk


def test_an_english_reader_gets_the_page_in_english(synced: dict[str, Any]) -> None:
    client = verified_client(synced["admin"])
    client.post(reverse("set-language"), {"language": "en", "next": "/"})
    html = client.get(reverse("register", args=[synced["school"].pk])).content.decode()
    assert "Student register" in html
    assert "1 problem to solve" in html
    assert "What the run would change" in html
    assert "Dry run: nothing was changed" in html
    assert "problem att lösa" not in html
