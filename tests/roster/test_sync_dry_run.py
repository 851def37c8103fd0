"""A dry run shows the difference in words and writes nothing but its record; the command
prints each school's summary, changes and problems, and says when a run failed."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import Enrolment, Guardianship, User
from roster.describe import describe_change, summary
from roster.models import RosterRun, RosterRunSchool, SourceLink
from tests.roster.conftest import SmallMunicipality
from tests.roster.sync_support import run
from tests.support.ss12000 import SS12000Server

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def test_a_dry_run_changes_nothing_and_lists_the_changes_in_swedish(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    run()
    users, links = User.objects.count(), SourceLink.objects.count()
    municipality.move_student(municipality.students[0], municipality.class_4a, municipality.class_4b, TODAY)
    municipality.end_guardianship(municipality.students[1], municipality.guardians[2])
    for given in ("Ida", "Olle", "Tove"):
        municipality.add_student(municipality.school, municipality.class_4b, given, "Ek")
    ss12000.load(municipality.muni)

    result = run(dry_run=True)

    assert result.dry_run
    (school_run,) = result.schools.all()
    assert school_run.status == RosterRunSchool.Status.PLANNED
    assert (User.objects.count(), SourceLink.objects.count()) == (users, links)
    assert Enrolment.objects.count() == 4
    assert not Guardianship.objects.exclude(ends_on__gt=TODAY).exclude(ends_on=None).exists()
    assert result.read_started_at is None  # not a starting point for an incremental run
    with translation.override("sv"):
        line = summary(school_run)
        sentences = [describe_change(change) for change in school_run.changes]
    assert line == (
        f"lägger till 3 elever, lägger till 3 inskrivningar, avslutar 1 vårdnad, "
        f"flyttar Elsa Andersson från 4A till 4B den {TODAY.isoformat()}"
    )
    assert f"Flyttar Elsa Andersson från 4A till 4B den {TODAY.isoformat()}" in sentences
    with translation.override("en"):
        assert summary(school_run).startswith(
            "adds 3 students, adds 3 enrolments, ends 1 guardianship, moves Elsa"
        )
    # Applying it for real then does exactly that.
    applied = run().schools.get()
    assert applied.changes == school_run.changes


def test_the_command_prints_each_school(
    ss12000: SS12000Server, municipality: SmallMunicipality, tmp_path: Path
) -> None:
    out = io.StringIO()
    with translation.override("en"):
        call_command("sync_roster", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Dry run: nothing applied." in text
    assert "Björkbackaskolan:" in text
    assert "adds 4 students, adds 8 guardians" in text
    assert "+ Adds the student Elsa Andersson" in text
    assert not User.objects.exists()

    path = municipality.muni.write(tmp_path / "register.json")
    out = io.StringIO()
    with translation.override("en"):
        call_command("sync_roster", "--file", str(path), stdout=out)
    assert "Applied." in out.getvalue()
    assert User.objects.count() == 14
    assert RosterRun.objects.filter(trigger=RosterRun.Trigger.COMMAND).count() == 2


def test_the_command_fails_when_the_run_fails(ss12000: SS12000Server) -> None:
    ss12000.fail_next("/organisations", 500)
    with pytest.raises(CommandError):
        call_command("sync_roster", stdout=io.StringIO())
    assert RosterRun.objects.get().status == RosterRun.Status.FAILED


def test_a_run_for_one_school(ss12000: SS12000Server, municipality: SmallMunicipality) -> None:
    other = municipality.add_school("Ekbackens skola", "87654321")
    municipality.add_student(other, municipality.add_class(other, "2A"), "Vera", "Holm")
    ss12000.load(municipality.muni)
    first = run()
    ekbacken = first.schools.get(name="Ekbackens skola").school
    assert ekbacken is not None
    municipality.rename(municipality.students[0], given="Elsa-Marie")  # at the other school
    ss12000.load(municipality.muni)

    out = io.StringIO()
    with translation.override("en"):
        call_command("sync_roster", "--school", str(ekbacken.pk), stdout=out)

    result = RosterRun.objects.order_by("-pk").first()
    assert result is not None
    assert result.school == ekbacken
    assert [s.name for s in result.schools.all()] == ["Ekbackens skola"]
    assert "Ekbackens skola: No changes – no changes" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("sync_roster", "--school", "999999", stdout=io.StringIO())
