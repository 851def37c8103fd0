"""Action programmes through the actions and the pages: who drafts, comments, decides,
follows up and closes (every role of the cast), versions instead of edits, the appeal date,
refusals that lose nothing, the guard, the live card, the principal's list of follow-ups
due, and exact query counts."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import events, policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.errors import Forbidden, NotFound, Refused, SensitiveText
from accounts.models import User
from dialogue import queries
from dialogue.actions import action_programmes as ap
from dialogue.actions.messages import edit_message
from dialogue.demo.action_programmes import seed as seed_programmes
from dialogue.flags import FlagSource
from dialogue.models import (
    ActionProgramme,
    FollowUp,
    Message,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
    Thread,
)
from tests.support.cast import ROLES, Cast, build_cast
from tests.support.clients import verified_client
from tests.support.sockets import frames_of_each, open_socket, receive, send
from writing.models import FlaggedText

pytestmark = pytest.mark.django_db

DRAFTERS = {"teacher", "principal"}
FAMILY = {"student", "guardian_1", "guardian_2"}
MEMBERS = DRAFTERS | FAMILY
OUTSIDERS = set(ROLES) - MEMBERS - {"anonymous"}  # includes former_teacher, withdrawn_guardian


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def draft(
    cast: Cast, author: User | None = None, student: User | None = None, **fields: Any
) -> ActionProgramme:
    values: dict[str, Any] = {
        "needs": "Anna behöver stöd i taluppfattning och bråk.",
        "measures": "Extra genomgång med speciallärare två gånger i veckan.",
        "responsible": "Lars Lund (mentor), speciallärare",
        "follow_ups": [(days(14), "Hur går bråken?"), (days(42), "Avstämning med hemmet")],
        "subject": cast.maths,
    }
    values.update(fields)
    return ap.draft_programme(author or cast.teacher, student or cast.student, **values)


def adopted(cast: Cast, **fields: Any) -> ActionProgramme:
    programme = draft(cast, **fields)
    ap.decide_programme(cast.principal, programme.pk, adopt=True)
    programme.refresh_from_db()
    return programme


def card_of(programme: ActionProgramme) -> dict[str, Any]:
    assert programme.message_id is not None
    card = Message.objects.get(pk=programme.message_id).card
    assert isinstance(card, dict)
    return card


def refused_or_denied(action: Callable[[], object]) -> None:
    with pytest.raises((PermissionDenied, Refused)) as raised:
        action()
    if isinstance(raised.value, Refused):
        assert raised.value.code in ("unknown_programme", "unknown_student", "unknown_follow_up")


@pytest.fixture
def heard() -> Any:
    found: list[dict[str, Any]] = []

    def listener(sender: Any, kind: str, signal: Any, **data: Any) -> None:
        found.append({"kind": kind, **data})

    events.announced.connect(listener)
    yield found
    events.announced.disconnect(listener)


# --- Drafting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(DRAFTERS))
def test_a_teacher_or_the_principal_drafts_and_the_card_appears_in_its_own_thread(
    cast: Cast, role: str, heard: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        programme = draft(cast, author=cast.person(role))
    assert programme.status == ActionProgramme.Status.DRAFT
    assert programme.thread.kind == Thread.Kind.ACTION_PROGRAMME
    assert programme.thread.page.student == cast.student
    version = programme.versions.get()
    assert (version.number, version.status) == (1, ProgrammeVersion.Status.DRAFT)
    assert version.follow_up_plan == [
        {"on": days(14).isoformat(), "what": "Hur går bråken?"},
        {"on": days(42).isoformat(), "what": "Avstämning med hemmet"},
    ]
    assert version.revisions.count() == 1
    card = card_of(programme)
    assert card["type"] == "action_programme"
    assert card["status"] == "draft"
    assert card["views"] == 0
    assert card["decision"] is None
    assert card["next_follow_up"] is None  # nothing is followed up before it is adopted
    assert card["subject"] == {"sv": cast.maths.name_sv, "en": cast.maths.name_en}
    assert programme.message is not None
    message = programme.message
    assert message.thread_id == programme.thread_id
    assert message.seq == programme.page.last_seq
    assert heard == [
        {
            "kind": "action_programme.drafted",
            "actor_id": getattr(cast, role).pk,
            "student_id": cast.student.pk,
            "page_id": programme.page_id,
            "programme_id": programme.pk,
            "version": 1,
        }
    ]


@pytest.mark.parametrize("role", sorted(set(ROLES) - DRAFTERS - {"anonymous"}))
def test_nobody_else_drafts(cast: Cast, role: str) -> None:
    refused_or_denied(lambda: draft(cast, author=cast.person(role)))
    assert not ActionProgramme.objects.exists()


@pytest.mark.parametrize("role", sorted(set(ROLES) - DRAFTERS - {"anonymous"}))
def test_nobody_else_edits_a_draft(cast: Cast, role: str) -> None:
    programme = draft(cast)
    refused_or_denied(lambda: ap.save_draft(cast.person(role), programme.pk, needs="Ändrat"))  # type: ignore[arg-type]
    assert programme.versions.get().needs.startswith("Anna behöver")


def test_saving_a_draft_again_keeps_every_revision(cast: Cast) -> None:
    programme = draft(cast)
    version = ap.save_draft(cast.principal, programme.pk, needs="Ny formulering.", follow_ups=[(days(7), "")])
    assert version.pk == programme.versions.get().pk  # the same draft, saved again
    assert [r.needs for r in ProgrammeRevision.objects.filter(version=version)] == [
        "Anna behöver stöd i taluppfattning och bråk.",
        "Ny formulering.",
    ]
    assert card_of(programme)["needs_html"] == "<p>Ny formulering.</p>\n"


# --- Views of the student and guardians --------------------------------------------------------


@pytest.mark.parametrize("role", sorted(MEMBERS))
def test_the_student_guardians_and_school_give_views_recorded_with_author_and_time(
    cast: Cast, role: str
) -> None:
    programme = draft(cast)
    person = cast.person(role)
    assert person is not None
    view = ap.give_view(person, programme.pk, body="Vi vill gärna ha **läxhjälp**.")
    assert view.author == person
    assert view.created_at is not None
    assert view.version.number == 1
    assert card_of(programme)["views"] == 1
    ap.give_view(person, programme.pk, body="En till synpunkt.")
    assert card_of(programme)["views"] == 2
    # Views stay when the draft changes: they record what was said about which version.
    ap.save_draft(cast.teacher, programme.pk, needs="Ändrat utkast.")
    assert ProgrammeView.objects.filter(programme=programme).count() == 2


@pytest.mark.parametrize("role", sorted(OUTSIDERS))
def test_outsiders_cannot_give_views(cast: Cast, role: str) -> None:
    programme = draft(cast)
    refused_or_denied(lambda: ap.give_view(cast.person(role), programme.pk, body="Hej"))  # type: ignore[arg-type]
    assert not ProgrammeView.objects.exists()


def test_the_card_cannot_be_edited_as_a_message(cast: Cast) -> None:
    programme = draft(cast)
    with pytest.raises((Refused, PermissionDenied)):
        edit_message(cast.teacher, programme.message_id, body="Ändrat")  # type: ignore[arg-type]


# --- The principal's decision --------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"principal", "anonymous"}))
def test_only_the_principal_decides(cast: Cast, role: str) -> None:
    programme = draft(cast)
    with pytest.raises((PermissionDenied, Refused)) as raised:
        ap.decide_programme(cast.person(role), programme.pk, adopt=True)  # type: ignore[arg-type]
    # Family and the teacher read the programme but may not decide; everyone else does not
    # learn that it exists: they get what a missing programme gets.
    if role in MEMBERS:
        assert isinstance(raised.value, Forbidden)
    else:
        with pytest.raises(NotFound) as missing:
            ap.decide_programme(cast.person(role), 10**9, adopt=True)  # type: ignore[arg-type]
        assert isinstance(raised.value, NotFound)
        assert (raised.value.code, raised.value.message) == (missing.value.code, missing.value.message)
    programme.refresh_from_db()
    assert programme.status == ActionProgramme.Status.DRAFT
    assert programme.versions.get().decided_on is None


def test_adopting_records_date_and_who_and_the_appeal_date_is_three_weeks_later(
    cast: Cast, heard: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    programme = draft(cast)
    with django_capture_on_commit_callbacks(execute=True):
        version = ap.decide_programme(cast.principal, programme.pk, adopt=True)
    assert version.status == ProgrammeVersion.Status.ADOPTED
    assert version.decided_on == today()
    assert version.decided_by == cast.principal
    assert version.appeal_until == today() + datetime.timedelta(days=21)
    programme.refresh_from_db()
    assert programme.status == ActionProgramme.Status.ADOPTED
    assert [(f.due_on, f.what_to_check) for f in programme.follow_ups.all()] == [
        (days(14), "Hur går bråken?"),
        (days(42), "Avstämning med hemmet"),
    ]
    card = card_of(programme)
    assert card["status"] == "adopted"
    assert card["decision"] == {
        "adopted": True,
        "version": 1,
        "on": today().isoformat(),
        "by": cast.principal.display_name,
        "appeal_until": (today() + datetime.timedelta(days=21)).isoformat(),
    }
    assert card["next_follow_up"] == {"on": days(14).isoformat(), "what": "Hur går bråken?", "overdue": False}
    assert heard[-1] == {
        "kind": "action_programme.decided",
        "actor_id": cast.principal.pk,
        "student_id": cast.student.pk,
        "page_id": programme.page_id,
        "programme_id": programme.pk,
        "version": 1,
        "adopted": True,
        "decided_on": today().isoformat(),
        "decided_by_id": cast.principal.pk,
    }


def test_the_page_shows_the_decision_and_the_last_day_to_appeal(cast: Cast) -> None:
    programme = adopted(cast)
    client = verified_client(cast.guardian_2)
    client.cookies["django_language"] = "en"
    response = client.get(f"/students/{cast.student.pk}/action-programmes/{programme.pk}/")
    last_day = (today() + datetime.timedelta(days=21)).isoformat()
    text = response.content.decode()
    assert f"by {last_day} at the latest" in text or f"senast {last_day}" in text


def test_declining_needs_a_reason_and_is_recorded(cast: Cast) -> None:
    programme = draft(cast)
    with pytest.raises(Refused) as refused:
        ap.decide_programme(cast.principal, programme.pk, adopt=False)
    assert refused.value.code == "empty"
    version = ap.decide_programme(cast.principal, programme.pk, adopt=False, note="Behovet utreds först.")
    assert version.status == ProgrammeVersion.Status.DECLINED
    programme.refresh_from_db()
    assert programme.status == ActionProgramme.Status.DECLINED
    card = card_of(programme)
    assert card["decision"]["adopted"] is False
    assert card["decision"]["appeal_until"] == (today() + datetime.timedelta(days=21)).isoformat()


def test_adopting_needs_a_planned_follow_up(cast: Cast) -> None:
    programme = draft(cast, follow_ups=[])
    with pytest.raises(Refused) as refused:
        ap.decide_programme(cast.principal, programme.pk, adopt=True)
    assert refused.value.code == "no_follow_up"
    assert programme.versions.get().status == ProgrammeVersion.Status.DRAFT


def test_an_adopted_programme_is_changed_only_by_a_new_version_decided_again(cast: Cast) -> None:
    programme = adopted(cast)
    first = programme.versions.get()
    change = ap.save_draft(
        cast.teacher,
        programme.pk,
        needs="Anna behöver stöd i bråk med olika nämnare.",
        follow_ups=[(days(21), "Bråk med olika nämnare")],
    )
    first.refresh_from_db()
    assert change.pk != first.pk
    assert (change.number, change.status) == (2, ProgrammeVersion.Status.DRAFT)
    assert first.status == ProgrammeVersion.Status.ADOPTED
    assert first.needs == "Anna behöver stöd i taluppfattning och bråk."  # not edited in place
    card = card_of(programme)
    assert (card["status"], card["version"], card["pending_version"]) == ("adopted", 1, 2)
    # The principal decides the change; the earlier version and its open follow-ups are replaced.
    ap.decide_programme(cast.principal, programme.pk, adopt=True)
    first.refresh_from_db()
    assert first.status == ProgrammeVersion.Status.SUPERSEDED
    assert first.needs == "Anna behöver stöd i taluppfattning och bråk."
    open_follow_ups = FollowUp.objects.filter(programme=programme, replaced_by__isnull=True)
    assert [f.due_on for f in open_follow_ups] == [days(21)]
    assert FollowUp.objects.filter(version=first, replaced_by=change).count() == 2
    card = card_of(programme)
    assert (card["version"], card["pending_version"]) == (2, None)
    assert card["decision"]["version"] == 2


def test_a_declined_change_leaves_the_adopted_programme_in_force(cast: Cast) -> None:
    programme = adopted(cast)
    ap.save_draft(cast.teacher, programme.pk, needs="Förslag.", follow_ups=[(days(5), "")])
    ap.decide_programme(cast.principal, programme.pk, adopt=False, note="Nuvarande stöd räcker.")
    programme.refresh_from_db()
    assert programme.status == ActionProgramme.Status.ADOPTED
    assert card_of(programme)["version"] == 1


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"needs": "  "}, "empty"),
        ({"follow_ups": [(days(-1), "För sent")]}, "past_follow_up"),
        ({"follow_ups": [("31/12", "Fel format")]}, "bad_date"),
        ({"follow_ups": [("", "Inget datum")]}, "no_date"),
        ({"needs": "x" * 4001}, "too_long"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_saved_is_lost(cast: Cast, fields: dict, code: str) -> None:
    with pytest.raises(Refused) as refused:
        draft(cast, **fields)
    assert refused.value.code == code
    assert refused.value.message
    assert not ActionProgramme.objects.exists()
    programme = draft(cast)
    values = {"needs": "Sparat.", "follow_ups": [(days(3), "")]} | fields
    with pytest.raises(Refused):
        ap.save_draft(cast.teacher, programme.pk, **values)
    assert programme.versions.get().needs == "Anna behöver stöd i taluppfattning och bråk."
    assert ProgrammeRevision.objects.count() == 1


def test_a_closed_programme_takes_no_decision_draft_view_or_follow_up(cast: Cast) -> None:
    programme = adopted(cast)
    ap.close_programme(cast.principal, programme.pk, reason="Målen är nådda.")
    follow_up = programme.follow_ups.first()
    assert follow_up is not None
    attempts = [
        lambda: ap.decide_programme(cast.principal, programme.pk, adopt=True),
        lambda: ap.save_draft(cast.teacher, programme.pk, needs="Nytt"),
        lambda: ap.give_view(cast.guardian_1, programme.pk, body="Hej"),
        lambda: ap.record_follow_up(cast.teacher, follow_up.pk, what_was_done="Klart", works="yes"),
        lambda: ap.close_programme(cast.principal, programme.pk, reason="Igen"),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.code == "closed"
    assert programme.versions.count() == 1
    assert not ProgrammeView.objects.exists()


def test_there_is_nothing_to_decide_without_a_draft(cast: Cast) -> None:
    programme = adopted(cast)
    with pytest.raises(Refused) as refused:
        ap.decide_programme(cast.principal, programme.pk, adopt=True)
    assert refused.value.code == "nothing_to_decide"


# --- The guard ---------------------------------------------------------------------------------------


def test_the_guard_asks_before_saving_and_flags_what_is_saved_anyway(cast: Cast) -> None:
    with pytest.raises(SensitiveText) as warned:
        draft(cast, needs="Anna har en diagnos sedan i våras.")
    assert "needs" in warned.value.by_field
    assert not ActionProgramme.objects.exists()
    programme = draft(cast, needs="Anna har en diagnos sedan i våras.", send_anyway=True)
    flag = FlaggedText.objects.get()
    assert (flag.source, flag.source_id, flag.author) == (
        FlagSource.ACTION_PROGRAMME,
        programme.pk,
        cast.teacher,
    )
    with pytest.raises(SensitiveText):
        ap.give_view(cast.guardian_1, programme.pk, body="Hon har en diagnos.")
    with pytest.raises(SensitiveText):
        draft(cast, follow_ups=[(days(3), "Följ upp diagnosen")])
    assert not ProgrammeView.objects.exists()


# --- Follow-ups and closing ------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(DRAFTERS))
def test_a_teacher_or_the_principal_records_a_follow_up(
    cast: Cast, role: str, heard: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    programme = adopted(cast)
    first, second = programme.follow_ups.order_by("due_on")
    with django_capture_on_commit_callbacks(execute=True):
        recorded = ap.record_follow_up(
            cast.person(role),  # type: ignore[arg-type]
            first.pk,
            what_was_done="Sex pass med speciallärare.",
            works="partly",
            outcome="Bråk med samma nämnare sitter.",
        )
    assert recorded.recorded_by == cast.person(role)
    assert recorded.recorded_on == today()
    assert card_of(programme)["next_follow_up"]["on"] == second.due_on.isoformat()
    assert heard[-1]["kind"] == "action_programme.followed_up"
    with pytest.raises(Refused) as refused:
        ap.record_follow_up(cast.teacher, first.pk, what_was_done="Igen", works="yes")
    assert refused.value.code == "recorded"


@pytest.mark.parametrize("role", sorted(set(ROLES) - DRAFTERS - {"anonymous"}))
def test_nobody_else_records_follow_ups(cast: Cast, role: str) -> None:
    programme = adopted(cast)
    follow_up = programme.follow_ups.first()
    assert follow_up is not None
    refused_or_denied(
        lambda: ap.record_follow_up(cast.person(role), follow_up.pk, what_was_done="Gjort", works="yes")  # type: ignore[arg-type]
    )
    assert not FollowUp.objects.filter(recorded_at__isnull=False).exists()


def test_a_follow_up_needs_what_was_done_and_whether_it_works(cast: Cast) -> None:
    programme = adopted(cast)
    follow_up = programme.follow_ups.first()
    assert follow_up is not None
    for done, works, code in (("", "yes", "empty"), ("x", "", "no_answer")):
        with pytest.raises(Refused) as refused:
            ap.record_follow_up(cast.teacher, follow_up.pk, what_was_done=done, works=works)
        assert refused.value.code == code


def test_overdue_follow_ups_are_marked_on_the_card_and_the_page(cast: Cast) -> None:
    programme = adopted(cast)
    FollowUp.objects.filter(programme=programme, due_on=days(14)).update(due_on=days(-2))  # time passes
    ap.give_view(cast.student, programme.pk, body="Jag tycker det går bättre.")  # any change redraws the card
    assert card_of(programme)["next_follow_up"]["overdue"] is True
    response = verified_client(cast.student).get(
        f"/students/{cast.student.pk}/action-programmes/{programme.pk}/"
    )
    assert "follow-up--overdue" in response.content.decode()
    listing = verified_client(cast.guardian_1).get(f"/students/{cast.student.pk}/action-programmes/")
    assert 'class="overdue"' in listing.content.decode()


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"principal", "anonymous"}))
def test_only_the_principal_closes(cast: Cast, role: str) -> None:
    programme = adopted(cast)
    with pytest.raises((PermissionDenied, Refused)):
        ap.close_programme(cast.person(role), programme.pk, reason="Klart")  # type: ignore[arg-type]
    programme.refresh_from_db()
    assert programme.status == ActionProgramme.Status.ADOPTED


def test_closing_records_date_who_and_why(
    cast: Cast, heard: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    programme = adopted(cast)
    with pytest.raises(Refused) as refused:
        ap.close_programme(cast.principal, programme.pk, reason=" ")
    assert refused.value.code == "empty"
    with django_capture_on_commit_callbacks(execute=True):
        closed = ap.close_programme(cast.principal, programme.pk, reason="Anna når målen i matematik.")
    assert (closed.status, closed.closed_on, closed.closed_by) == ("closed", today(), cast.principal)
    card = card_of(programme)
    assert card["status"] == "closed"
    assert card["closed"] == {"on": today().isoformat(), "by": cast.principal.display_name}
    assert card["next_follow_up"] is None
    assert heard[-1]["kind"] == "action_programme.closed"


def test_only_an_adopted_programme_is_closed(cast: Cast) -> None:
    programme = draft(cast)
    with pytest.raises(Refused) as refused:
        ap.close_programme(cast.principal, programme.pk, reason="Inte aktuellt")
    assert refused.value.code == "not_adopted"


# --- The principal's list of follow-ups due ---------------------------------------------------------


def test_follow_ups_due_lists_exactly_the_programmes_due_within_a_week_or_overdue(cast: Cast) -> None:
    due_soon = adopted(cast, follow_ups=[(days(3), "Snart")])
    overdue = adopted(cast, follow_ups=[(days(1), "Förfallen")])
    FollowUp.objects.filter(programme=overdue).update(due_on=days(-5))  # time passes
    adopted(cast, follow_ups=[(days(30), "Långt bort")])
    closed = adopted(cast, follow_ups=[(days(2), "Stängd")])
    ap.close_programme(cast.principal, closed.pk, reason="Klart")
    draft(cast, follow_ups=[(days(1), "Bara ett utkast")])
    recorded = adopted(cast, follow_ups=[(days(2), "Redan gjord"), (days(60), "Senare")])
    ap.record_follow_up(
        cast.teacher, recorded.follow_ups.order_by("due_on")[0].pk, what_was_done="Gjort", works="yes"
    )
    # Another school's student with a follow-up due tomorrow is not on this school's list.
    pupil = p.create_person(SYSTEM, username="soder.elev", first_name="Sam", last_name="Söder")
    m.enrol_student(SYSTEM, pupil, cast.class_5c)
    elsewhere = ap.draft_programme(cast.other_principal, pupil, needs="Stöd", follow_ups=[(days(1), "")])
    ap.decide_programme(cast.other_principal, elsewhere.pk, adopt=True)

    with CaptureQueriesContext(connection) as captured:
        rows = list(queries.follow_ups_due(cast.school, today()))
    assert len(captured) == 1
    assert [(row.pk, row.next_due, row.overdue) for row in rows] == [  # type: ignore[attr-defined]
        (overdue.pk, days(-5), True),
        (due_soon.pk, days(3), False),
    ]
    assert rows[0].student == cast.student  # loaded with the row
    assert [row.pk for row in queries.follow_ups_due(cast.other_school, today())] == [elsewhere.pk]


# --- The pages --------------------------------------------------------------------------------------


def test_a_teacher_drafts_in_the_browser_and_a_refused_form_keeps_the_text(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    url = f"/students/{cast.student.pk}/action-programmes/new/"
    response = client.post(
        url,
        {
            "needs": "Behöver stöd i läsning.",
            "follow_up_on": [days(-3).isoformat(), ""],
            "follow_up_what": ["Läsflyt", ""],
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Behöver stöd i läsning." in text  # what was typed is shown again
    assert 'role="alert"' in text
    assert not ActionProgramme.objects.exists()
    response = client.post(
        url,
        {
            "needs": "Behöver stöd i läsning.",
            "subject": cast.swedish.pk,
            "follow_up_on": [days(10).isoformat(), ""],
            "follow_up_what": ["Läsflyt", ""],
        },
    )
    programme = ActionProgramme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/students/{cast.student.pk}/action-programmes/{programme.pk}/"
    assert programme.subject == cast.swedish
    assert programme.versions.get().follow_up_plan == [{"on": days(10).isoformat(), "what": "Läsflyt"}]


def test_the_family_comments_and_the_principal_decides_in_the_browser(cast: Cast) -> None:
    programme = draft(cast)
    base = f"/students/{cast.student.pk}/action-programmes/{programme.pk}"
    guardian = verified_client(cast.guardian_1)
    page = guardian.get(f"{base}/").content.decode()
    assert 'action="' + f"{base}/views/" + '"' in page
    assert f"{base}/decision/" not in page  # no decision form for a guardian
    assert guardian.post(f"{base}/views/", {"body": "Vi hjälper gärna till hemma."}).status_code == 302
    assert guardian.post(f"{base}/decision/", {"decision": "adopt"}).status_code == 403
    principal = verified_client(cast.principal)
    assert f"{base}/decision/" in principal.get(f"{base}/").content.decode()
    refused = principal.post(f"{base}/decision/", {"decision": "", "note": "Mitt skäl"})
    assert refused.status_code == 400
    assert "Mitt skäl" in refused.content.decode()
    answer = principal.post(
        f"{base}/decision/", {"decision": "adopt"}, headers={"Accept": "application/json"}
    )
    assert answer.json() == {"ok": True, "url": f"{base}/"}
    programme.refresh_from_db()
    assert programme.status == ActionProgramme.Status.ADOPTED


def test_the_guard_asks_in_the_browser_and_save_anyway_keeps_the_view(cast: Cast) -> None:
    programme = draft(cast)
    url = f"/students/{cast.student.pk}/action-programmes/{programme.pk}/views/"
    client = verified_client(cast.guardian_2)
    asked = client.post(url, {"body": "Hon har en diagnos."})
    assert asked.status_code == 400
    text = asked.content.decode()
    assert "Hon har en diagnos." in text
    assert 'name="send_anyway"' in text
    assert not ProgrammeView.objects.exists()
    assert client.post(url, {"body": "Hon har en diagnos.", "send_anyway": "1"}).status_code == 302
    assert ProgrammeView.objects.get().author == cast.guardian_2
    assert FlaggedText.objects.get().source == FlagSource.ACTION_PROGRAMME


def test_the_student_page_links_to_the_programmes(cast: Cast) -> None:
    response = verified_client(cast.student).get(f"/students/{cast.student.pk}/")
    assert f'href="/students/{cast.student.pk}/action-programmes/"' in response.content.decode()


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_programme_page_query_count_is_fixed(cast: Cast) -> None:
    programme = adopted(cast)
    client = verified_client(cast.guardian_1)
    url = f"/students/{cast.student.pk}/action-programmes/{programme.pk}/"
    # session, user, device; the student (access); the programme, its versions, their
    # revisions, follow-ups, views; the relation to the student; the access log's row
    expected = 3 + 7 + 1
    assert _count(client, url) == expected
    for index in range(3):
        ap.give_view(cast.guardian_2, programme.pk, body=f"Synpunkt {index}")
        ap.save_draft(
            cast.teacher, programme.pk, needs=f"Ändring {index}", follow_ups=[(days(9 + index), "")]
        )
        ap.decide_programme(cast.principal, programme.pk, adopt=True)
    ap.record_follow_up(
        cast.teacher,
        programme.follow_ups.filter(replaced_by__isnull=True)[0].pk,
        what_was_done="Gjort",
        works="yes",
    )
    response = client.get(url)
    assert len(response.context["versions"]) == 4
    assert _count(client, url) == expected


def test_the_programme_list_query_count_is_fixed(cast: Cast) -> None:
    adopted(cast)
    client = verified_client(cast.teacher)
    url = f"/students/{cast.student.pk}/action-programmes/"
    # session, user, device; the student (access); the relation; the access log's row;
    # subjects for the form; the programmes; their versions
    expected = 3 + 5 + 1
    assert _count(client, url) == expected
    adopted(cast)
    draft(cast)
    assert _count(client, url) == expected


# --- Live -----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_the_principals_decision_updates_the_card_live_for_the_family_and_nobody_else() -> None:
    cast, programme = await database_sync_to_async(lambda: (c := build_cast(), draft(c)))()
    sockets = {}
    for role in ROLES[1:]:
        communicator, connected, _ = await open_socket(cast.person(role))
        assert connected, role
        await send(communicator, {"type": "subscribe", "page": programme.page_id})
        await receive(communicator)
        sockets[role] = communicator

    await database_sync_to_async(lambda: ap.decide_programme(cast.principal, programme.pk, adopt=True))()
    received = set()
    for role, frames in (await frames_of_each(sockets)).items():
        cards = [f["message"]["card"] for f in frames if f["type"] == "message" and f["message"]["card"]]
        if cards:
            assert [(card["id"], card["status"]) for card in cards] == [(programme.pk, "adopted")], role
            assert cards[0]["decision"]["appeal_until"] == (today() + datetime.timedelta(days=21)).isoformat()
            assert [f["message"]["id"] for f in frames if f["type"] == "message"] == [programme.message_id]
            received.add(role)
    assert {"student", "guardian_1", "guardian_2"} <= received
    readers = await database_sync_to_async(lambda: set(policy.readers_of_student_page(cast.student)))()
    assert {cast.person(role) for role in received} == readers
    for communicator in sockets.values():
        await communicator.disconnect()


# --- Demo data -----------------------------------------------------------------------------------------


def test_the_demo_programme_is_seeded_once(db: None) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    people = {user.username: user for user in User.objects.all()}
    seed_programmes(people)
    seed_programmes(people)  # a second run does nothing
    programme = ActionProgramme.objects.get()
    assert programme.student.username == "hugo.lindqvist"
    assert programme.subject is not None
    assert programme.subject.code == "MA"
    assert programme.status == ActionProgramme.Status.ADOPTED
    version = programme.versions.get()
    assert version.decided_by is not None
    assert version.decided_by.username == "eva.lindgren"
    recorded, upcoming = programme.follow_ups.order_by("due_on")
    assert recorded.recorded_at is not None
    assert upcoming.recorded_at is None
    assert upcoming.due_on > today()


@pytest.mark.parametrize("role", ROLES)
def test_the_programme_rights_agree_with_the_policy_for_every_role(cast: Cast, role: str) -> None:
    person = cast.person(role)
    user: Any = person if person is not None else AnonymousUser()
    relation = policy.relation_to_student(user, cast.student)
    assert relation.may_comment_on_programme == policy.relation_to_student(user, cast.student).may_read
    assert relation.may_draft_programme == (role in DRAFTERS)
    assert relation.may_decide_programme == (role == "principal")
    assert relation.may_comment_on_programme == (role in MEMBERS)
