"""Development talks through the actions and pages: who opens, books, joins, moves and
cancels, that a slot holds one talk even under concurrency, the preparation and the
agreements with the guard, the cards, the reminders, and the pages' query counts."""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import events
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.errors import Refused, SensitiveText
from accounts.models import User
from dialogue import queries
from dialogue.actions import talks
from dialogue.flags import FlagSource
from dialogue.models import DevelopmentTalk, Message, TalkAttendee, TalkSlot, Thread
from tests.support.cast import Cast, build_cast
from tests.support.clients import verified_client
from tests.support.dialogue import assessment_objects
from tests.support.talks import next_week, open_slots, past_talk
from writing.models import FlaggedText

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[dict[str, Any]]]:
    """The domain events announced (after commit) during the test."""
    found: list[dict[str, Any]] = []

    def listener(sender: Any, kind: str, signal: Any, **data: Any) -> None:
        found.append({"kind": kind, **data})

    events.announced.connect(listener)
    yield found
    events.announced.disconnect(listener)


def card(talk: DevelopmentTalk) -> dict[str, Any]:
    assert talk.message_id is not None
    content = Message.objects.get(pk=talk.message_id).card
    assert isinstance(content, dict)
    return content


def classmate(cast: Cast, name: str = "lisa") -> tuple[User, User]:
    """Another student of 4A and her guardian."""
    pupil = p.create_person(SYSTEM, username=f"{name}.elev", first_name=name.title(), last_name="Elev")
    parent = p.create_person(SYSTEM, username=f"{name}.vh", first_name="Förälder", last_name=name.title())
    m.enrol_student(SYSTEM, pupil, cast.class_4a)
    m.add_guardianship(SYSTEM, parent, pupil)
    return pupil, parent


# --- Opening slots ------------------------------------------------------------------------------


def test_a_teacher_opens_a_series_of_slots_in_one_go(cast: Cast) -> None:
    slots = talks.open_talk_slots(
        cast.teacher,
        cast.class_4a,
        day=next_week(),
        start=datetime.time(13, 0),
        until=datetime.time(16, 0),
        minutes=20,
        every=30,
        place="",
        video=True,
    )
    starts = [timezone.localtime(slot.starts_at).strftime("%H:%M") for slot in slots]
    assert starts == ["13:00", "13:30", "14:00", "14:30", "15:00", "15:30"]
    assert {slot.minutes for slot in slots} == {20}
    assert all(slot.video and slot.teacher == cast.teacher for slot in slots)


@pytest.mark.parametrize("role", ["other_teacher", "former_teacher", "principal", "guardian_1", "student"])
def test_only_a_teacher_of_the_class_opens_slots(cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied):
        talks.open_talk_slots(
            cast.person(role),  # type: ignore[arg-type]
            cast.class_4a,
            day=next_week(),
            start=datetime.time(9, 0),
            minutes=30,
            place="Klassrum",
        )
    assert not TalkSlot.objects.exists()


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"day": "yesterday"}, "past"),
        ({"minutes": 0}, "bad_length"),
        ({"minutes": 500}, "bad_length"),
        ({"minutes": 30, "every": 20}, "overlapping"),
        ({"place": "  ", "video": False}, "no_place"),
        ({"until": datetime.time(13, 10)}, "no_room"),
    ],
)
def test_bad_slots_are_refused_clearly(cast: Cast, options: dict[str, Any], code: str) -> None:
    if options.get("day") == "yesterday":
        options["day"] = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(Refused) as refused:
        open_slots(cast, **options)
    assert refused.value.code == code
    assert refused.value.message
    assert not TalkSlot.objects.exists()


def test_slots_overlapping_the_teachers_own_are_refused_all_or_nothing(cast: Cast) -> None:
    open_slots(cast, start="13:00", until=datetime.time(14, 0))  # 13:00, 13:30
    with pytest.raises(Refused) as refused:
        open_slots(cast, start="12:00", until=datetime.time(13, 15), minutes=15)  # ends in 13:00's
    assert refused.value.code == "overlapping"
    assert "13:00" in refused.value.message
    assert TalkSlot.objects.count() == 2
    # Back to back is no overlap, and a cancelled slot's time can be offered again.
    assert len(open_slots(cast, start="14:00", until=None)) == 1
    talks.cancel_talk_slot(cast.teacher, TalkSlot.objects.order_by("starts_at").first())  # type: ignore[arg-type]
    assert len(open_slots(cast, start="13:00", until=None)) == 1


# --- Booking ------------------------------------------------------------------------------------


def test_a_guardian_books_a_talk_with_its_own_thread_and_card(
    cast: Cast, heard: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    slot = open_slots(cast)[0]
    with django_capture_on_commit_callbacks(execute=True):
        talk = talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    assert talk.thread.kind == Thread.Kind.DEVELOPMENT_TALK
    assert talk.thread.display_title.endswith(timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M"))
    content = card(talk)
    assert content["type"] == "talk"
    assert content["status"] == "booked"
    assert content["guardians"] == ["Karin Andersson"]
    assert content["teacher"] == "Lars Lund"
    assert content["place"] == "Klassrum 4A"
    assert content["minutes"] == 30
    assert set(content["when"]) == {"sv", "en"}
    assert [e["kind"] for e in heard] == ["talk.booked"]
    assert heard[0]["guardian_ids"] == [cast.guardian_1.pk]


def test_the_second_guardian_joins_the_same_talk_and_the_card_updates(cast: Cast) -> None:
    slot = open_slots(cast)[0]
    talk = talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    assert talk.message is not None
    before = Message.objects.get(pk=talk.message.pk)
    talks.join_talk(cast.guardian_2, talk)
    after = Message.objects.get(pk=talk.message.pk)
    assert after.change_seq > before.change_seq
    assert card(talk)["guardians"] == ["Karin Andersson", "Johan Berg"]
    assert DevelopmentTalk.objects.count() == 1
    # Joining twice changes nothing; having joined, booking another one is refused.
    talks.join_talk(cast.guardian_2, talk)
    with pytest.raises(Refused) as refused:
        talks.book_talk(cast.guardian_2, cast.student, open_slots(cast, start="15:00", until=None)[0].pk)
    assert refused.value.code == "already_booked"


def test_separated_guardians_can_book_a_talk_each(cast: Cast) -> None:
    first, second, _third = open_slots(cast)
    own_1 = talks.book_talk(cast.guardian_1, cast.student, first.pk)
    own_2 = talks.book_talk(cast.guardian_2, cast.student, second.pk)
    assert own_1.thread_id != own_2.thread_id
    assert card(own_2)["guardians"] == ["Johan Berg"]
    with pytest.raises(Refused) as refused:  # one upcoming talk per guardian and child
        talks.book_talk(cast.guardian_1, cast.student, _third.pk)
    assert refused.value.code == "already_booked"


def test_a_slot_holds_one_students_talk(cast: Cast) -> None:
    slot = open_slots(cast)[0]
    talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    pupil, parent = classmate(cast)
    with pytest.raises(Refused) as refused:
        talks.book_talk(parent, pupil, slot.pk)
    assert refused.value.code == "taken"
    with pytest.raises(Refused):  # nor can the other guardian book it separately
        talks.book_talk(cast.guardian_2, cast.student, slot.pk)
    assert DevelopmentTalk.objects.count() == 1


def test_the_database_refuses_a_second_live_talk_in_a_slot(cast: Cast) -> None:
    slot = open_slots(cast)[0]
    talk = talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    pupil, _parent = classmate(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        DevelopmentTalk.objects.create(slot=slot, student=pupil, booked_by=_parent, thread=talk.thread)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_guardians_booking_the_same_slot_at_the_same_moment_get_one_talk() -> None:
    cast = build_cast()
    slot = open_slots(cast)[0]
    pupil, parent = classmate(cast)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt(name: str, guardian: User, student: User) -> None:
        try:
            start.wait(timeout=10)
            results[name] = talks.book_talk(guardian, student, slot.pk).pk
        except Refused as refusal:
            results[name] = refusal.code
        finally:
            connection.close()

    runners = [
        threading.Thread(target=attempt, args=("karin", cast.guardian_1, cast.student)),
        threading.Thread(target=attempt, args=("lisa", parent, pupil)),
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(timeout=30)
    assert sorted(type(value).__name__ for value in results.values()) == ["int", "str"]
    assert "taken" in results.values()
    assert DevelopmentTalk.objects.filter(slot=slot, cancelled_at__isnull=True).count() == 1


@pytest.mark.parametrize("role", ["other_guardian", "withdrawn_guardian", "student", "teacher", "principal"])
def test_only_the_students_guardians_book(cast: Cast, role: str) -> None:
    slot = open_slots(cast)[0]
    with pytest.raises(PermissionDenied):
        talks.book_talk(cast.person(role), cast.student, slot.pk)  # type: ignore[arg-type]
    assert not DevelopmentTalk.objects.exists()


def test_a_guardian_cannot_book_another_classs_slot(cast: Cast) -> None:
    slot = open_slots(cast)[0]
    with pytest.raises(Refused) as refused:
        talks.book_talk(cast.other_guardian, cast.other_student, slot.pk)
    assert refused.value.code == "other_class"


# --- Cancelling and moving ------------------------------------------------------------------------


def test_cancelling_the_only_booking_cancels_the_talk_and_frees_the_slot(cast: Cast) -> None:
    slot = open_slots(cast)[0]
    talk = talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    talks.cancel_booking(cast.guardian_1, talk)
    assert card(talk)["status"] == "cancelled"
    assert card(talk)["cancelled_by"] == "Karin Andersson"
    pupil, parent = classmate(cast)
    assert talks.book_talk(parent, pupil, slot.pk).slot_id == slot.pk
    with pytest.raises(Refused) as refused:
        talks.cancel_booking(cast.guardian_1, talk)
    assert refused.value.code == "cancelled"


def test_when_one_of_two_guardians_cancels_the_talk_goes_on_for_the_other(cast: Cast) -> None:
    talk = talks.book_talk(cast.guardian_1, cast.student, open_slots(cast)[0].pk)
    talks.join_talk(cast.guardian_2, talk)
    talks.cancel_booking(cast.guardian_1, talk)
    talk.refresh_from_db()
    assert talk.cancelled_at is None
    assert card(talk)["guardians"] == ["Johan Berg"]
    with pytest.raises(Refused) as refused:  # no longer hers to cancel
        talks.cancel_booking(cast.guardian_1, talk)
    assert refused.value.code == "not_yours"
    with pytest.raises(PermissionDenied):
        talks.cancel_booking(cast.other_guardian, talk)


def test_moving_a_booking_moves_the_talk_with_its_thread(
    cast: Cast, heard: list, django_capture_on_commit_callbacks: Any
) -> None:
    first, second, _third = open_slots(cast)
    talk = talks.book_talk(cast.guardian_1, cast.student, first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        moved = talks.move_booking(cast.guardian_1, talk, second.pk)
    assert moved.pk == talk.pk
    assert moved.slot_id == second.pk
    assert datetime.datetime.fromisoformat(card(talk)["starts_at"]) == second.starts_at
    thread = Thread.objects.get(pk=talk.thread_id)
    assert thread.title == timezone.localtime(second.starts_at).strftime("%Y-%m-%d %H:%M")
    assert [e["kind"] for e in heard] == ["talk.moved"]
    assert queries.free_talk_slots(cast.student, timezone.now()) == [first, _third]


def test_moving_out_of_a_shared_talk_leaves_the_other_guardians_booking(cast: Cast) -> None:
    first, second, _third = open_slots(cast)
    shared = talks.book_talk(cast.guardian_1, cast.student, first.pk)
    talks.join_talk(cast.guardian_2, shared)
    own = talks.move_booking(cast.guardian_2, shared, second.pk)
    assert own.pk != shared.pk
    assert card(shared)["guardians"] == ["Karin Andersson"]
    assert card(own)["guardians"] == ["Johan Berg"]
    shared.refresh_from_db()
    assert shared.slot_id == first.pk


def test_nothing_can_be_changed_once_the_talk_has_started(cast: Cast) -> None:
    talk = past_talk(cast)
    slot = open_slots(cast)[0]
    for change in (
        lambda: talks.cancel_booking(cast.guardian_2, talk),
        lambda: talks.move_booking(cast.guardian_2, talk, slot.pk),
        lambda: talks.join_talk(cast.guardian_1, talk),
        lambda: talks.add_preparation(cast.guardian_1, talk, body="Sent påtänkt"),
    ):
        with pytest.raises(Refused) as refused:
            change()
        assert refused.value.code == "started"
    with pytest.raises(Refused) as refused:
        talks.cancel_talk_slot(cast.teacher, talk.slot)
    assert refused.value.code == "started"


def test_the_teacher_cancels_a_slot_and_the_booked_guardians_are_told(
    cast: Cast, heard: list, django_capture_on_commit_callbacks: Any
) -> None:
    slot = open_slots(cast)[0]
    talk = talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    talks.join_talk(cast.guardian_2, talk)
    with pytest.raises(PermissionDenied):
        talks.cancel_talk_slot(cast.other_teacher, slot)
    with pytest.raises(PermissionDenied):
        talks.cancel_talk_slot(cast.principal, slot)
    with django_capture_on_commit_callbacks(execute=True):
        talks.cancel_talk_slot(cast.teacher, slot)
    assert card(talk)["status"] == "cancelled"
    assert card(talk)["cancelled_by"] == "Lars Lund"
    cancelled = [e for e in heard if e["kind"] == "talk.cancelled"]
    assert cancelled == [
        {
            "kind": "talk.cancelled",
            "actor_id": cast.teacher.pk,
            "talk_id": talk.pk,
            "student_id": cast.student.pk,
            "page_id": talk.thread.page_id,
            "guardian_ids": [cast.guardian_1.pk, cast.guardian_2.pk],
            "by_id": cast.teacher.pk,
            "by_school": True,
        }
    ]
    with pytest.raises(Refused) as refused:
        talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    assert refused.value.code == "unknown_slot"


# --- Preparation and agreements ---------------------------------------------------------------------


def test_the_student_and_guardians_prepare_and_the_guard_applies(cast: Cast) -> None:
    talk = talks.book_talk(cast.guardian_1, cast.student, open_slots(cast)[0].pk)
    talks.add_preparation(cast.student, talk, body="Jag vill prata om **läsning**.")
    talks.add_preparation(cast.guardian_2, talk, body="Hur går det i matte?")
    for role in ("teacher", "principal", "other_guardian", "withdrawn_guardian"):
        with pytest.raises(PermissionDenied):
            talks.add_preparation(cast.person(role), talk, body="Fråga")  # type: ignore[arg-type]
    with pytest.raises(Refused):
        talks.add_preparation(cast.guardian_1, talk, body="   ")
    with pytest.raises(SensitiveText) as warning:
        talks.add_preparation(cast.guardian_1, talk, body="Hon har en diagnos.")
    assert set(warning.value.by_field) == {"body"}
    assert talk.preparations.count() == 2
    talks.add_preparation(cast.guardian_1, talk, body="Hon har en diagnos.", send_anyway=True)
    flag = FlaggedText.objects.get(source=FlagSource.TALK, source_id=talk.pk)
    assert flag.author == cast.guardian_1
    page = (
        verified_client(cast.guardian_2).get(f"/students/{cast.student.pk}/talks/{talk.pk}/").content.decode()
    )
    assert "<strong>läsning</strong>" in page
    assert "Hur går det i matte?" in page


def test_the_teacher_records_the_agreements_which_become_the_current_iup(
    cast: Cast, heard: list, django_capture_on_commit_callbacks: Any
) -> None:
    talk = past_talk(cast)
    assert queries.current_iup(cast.student) is None
    held = timezone.localdate() - datetime.timedelta(days=7)
    fields: dict[str, Any] = {
        "held_on": held,
        "iup_summary": "Anna har kommit långt i **läsning**.",
        "school_actions": "Skolan ger extra lästräning.",
        "home_actions": "Läsa högt hemma.",
    }
    for role in ("principal", "guardian_1", "student", "other_teacher"):
        with pytest.raises(PermissionDenied):
            talks.record_talk(cast.person(role), talk, **fields)  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=True):
        _talk, findings = talks.record_talk(cast.teacher, talk, **fields)
    assert findings == []
    content = card(talk)
    assert content["status"] == "recorded"
    assert "<strong>läsning</strong>" in content["record"]["iup_html"]
    assert content["record"]["by"] == "Lars Lund"
    assert [e["kind"] for e in heard] == ["talk.recorded"]
    assert heard[0]["held_on"] == held.isoformat()
    iup = queries.current_iup(cast.student)
    assert iup is not None
    assert (iup.pk, iup.home_actions) == (talk.pk, "Läsa högt hemma.")
    # A correction replaces the agreements on the card; the earlier text stays on record
    # and on the talk page.
    talks.record_talk(cast.teacher, talk, **(fields | {"home_actions": "Läsa högt hemma varje kväll."}))
    assert card(talk)["record"]["home_html"] == "<p>Läsa högt hemma varje kväll.</p>\n"
    earlier = list(talk.record_revisions.all())
    assert [(e.home_actions, e.recorded_by) for e in earlier] == [("Läsa högt hemma.", cast.teacher)]
    page = verified_client(cast.guardian_1).get(f"/students/{cast.student.pk}/talks/{talk.pk}/")
    assert "Läsa högt hemma.</p>" in page.content.decode()
    assert "Läsa högt hemma varje kväll." in page.content.decode()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"held_on": "tomorrow"}, "future"),
        ({"iup_summary": "", "school_actions": "", "home_actions": ""}, "empty"),
        ({"home_actions": "x" * 5001}, "too_long"),
        ({"held_on": "a month ago"}, "before_slot"),
    ],
)
def test_bad_agreements_are_refused(cast: Cast, change: dict[str, Any], code: str) -> None:
    talk = past_talk(cast)
    fields: dict[str, Any] = {
        "held_on": timezone.localdate(),
        "iup_summary": "Sammanfattning.",
        "school_actions": "",
        "home_actions": "",
    } | change
    if fields["held_on"] == "tomorrow":
        fields["held_on"] = timezone.localdate() + datetime.timedelta(days=1)
    if fields["held_on"] == "a month ago":
        fields["held_on"] = timezone.localdate() - datetime.timedelta(days=30)
    with pytest.raises(Refused) as refused:
        talks.record_talk(cast.teacher, talk, **fields)
    assert refused.value.code == code


def test_agreements_wait_for_the_talk_and_pass_the_guard(cast: Cast) -> None:
    upcoming = talks.book_talk(cast.guardian_1, cast.student, open_slots(cast)[0].pk)
    fields: dict[str, Any] = {"held_on": timezone.localdate(), "school_actions": "", "home_actions": ""}
    with pytest.raises(Refused) as refused:
        talks.record_talk(cast.teacher, upcoming, iup_summary="För tidigt.", **fields)
    assert refused.value.code == "not_held"
    held = past_talk(cast)
    with pytest.raises(SensitiveText) as warning:
        talks.record_talk(cast.teacher, held, iup_summary="Han är lat.", **fields)
    assert set(warning.value.by_field) == {"iup_summary"}
    talks.record_talk(cast.teacher, held, iup_summary="Han är lat.", send_anyway=True, **fields)
    assert FlaggedText.objects.filter(source=FlagSource.TALK, source_id=held.pk).exists()


# --- Reminders ---------------------------------------------------------------------------------------


def test_reminders_go_once_to_each_guardian_of_talks_within_a_day(
    cast: Cast, heard: list, django_capture_on_commit_callbacks: Any
) -> None:
    soon = timezone.localtime() + datetime.timedelta(hours=3)
    slot = talks.open_talk_slots(
        cast.teacher,
        cast.class_4a,
        day=soon.date(),
        start=soon.time().replace(microsecond=0),
        minutes=20,
        place="Rum 1",
    )[0]
    talk = talks.book_talk(cast.guardian_1, cast.student, slot.pk)
    talks.join_talk(cast.guardian_2, talk)
    pupil, parent = classmate(cast)
    talks.book_talk(parent, pupil, open_slots(cast)[0].pk)  # next week: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert talks.send_talk_reminders() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert talks.send_talk_reminders() == 0
    reminders = [e for e in heard if e["kind"] == "talk.reminder"]
    assert sorted(e["guardian_id"] for e in reminders) == sorted([cast.guardian_1.pk, cast.guardian_2.pk])
    assert {e["talk_id"] for e in reminders} == {talk.pk}
    assert not TalkAttendee.objects.filter(talk=talk, reminded_at__isnull=True).exists()
    # The worker runs the command; it, too, sends nothing twice.
    output = io.StringIO()
    call_command("send_talk_reminders", stdout=output)
    assert output.getvalue() == "Talk reminders: 0 sent.\n"


# --- Pages -------------------------------------------------------------------------------------------


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_booking_page_shows_free_times_and_leaks_no_other_students(cast: Cast) -> None:
    first, second, _third = open_slots(cast)
    pupil, parent = classmate(cast)
    talks.book_talk(parent, pupil, second.pk)
    client = verified_client(cast.guardian_1)
    response = client.post(f"/students/{cast.student.pk}/talks/book/", {"slot": first.pk})
    assert response.status_code == 302
    page = client.get(f"/students/{cast.student.pk}/talks/").content.decode()
    assert "Lisa" not in page  # the classmate's booking is just not a free time
    assert 'data-testid="talk"' in page
    assert f'name="slot" value="{_third.pk}"' in page
    assert f'name="slot" value="{second.pk}"' not in page
    # The other guardian is offered to join.
    other = verified_client(cast.guardian_2).get(f"/students/{cast.student.pk}/talks/").content.decode()
    assert f'action="/students/{cast.student.pk}/talks/' in other
    assert "/join/" in other


def test_the_booking_page_query_count_does_not_grow_with_slots_or_talks(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    url = f"/students/{cast.student.pk}/talks/"
    talks.book_talk(cast.guardian_1, cast.student, open_slots(cast)[0].pk)
    # session, user, device; the student; relation; the access log's row; talks, guardians
    # coming; free slots; the other children
    expected = 3 + 6 + 1
    assert _count(client, url) == expected
    for day in range(2, 6):
        open_slots(cast, day=next_week() + datetime.timedelta(days=day))
    last = TalkSlot.objects.order_by("-starts_at").first()
    assert last is not None
    talks.book_talk(cast.guardian_2, cast.student, last.pk)  # two talks for one student
    assert _count(client, url) == expected


def test_the_class_talks_page_query_count_does_not_grow_with_slots_or_students(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    url = f"/classes/{cast.class_4a.pk}/talks/"
    talks.book_talk(cast.guardian_1, cast.student, open_slots(cast)[0].pk)
    # session, user, device; the class; the term; slots, their talks, guardians coming;
    # students without a talk; may manage
    expected = 3 + 7
    assert _count(client, url) == expected
    for index in range(6):
        pupil, parent = classmate(cast, f"elev{index}")
        slot = open_slots(cast, day=next_week() + datetime.timedelta(days=index + 1))[0]
        talks.book_talk(parent, pupil, slot.pk)
    response = client.get(url)
    assert len(response.context["without"]) == 0
    assert _count(client, url) == expected


def test_the_class_page_lists_students_without_a_talk_this_term(cast: Cast) -> None:
    pupil, _parent = classmate(cast)
    talks.book_talk(cast.guardian_1, cast.student, open_slots(cast)[0].pk)
    response = verified_client(cast.principal).get(f"/classes/{cast.class_4a.pk}/talks/")
    assert [student.pk for student in response.context["without"]] == [pupil.pk]
    assert response.context["can_manage"] is False
    assert 'data-testid="open-slots"' not in response.content.decode()
    assert "Anna Andersson" in response.content.decode()  # the booking, for the principal too


def test_the_talk_page_shows_the_latest_assessments_and_the_record_form_to_the_teacher(cast: Cast) -> None:
    assessment_objects(cast)
    talk = past_talk(cast)
    url = f"/students/{cast.student.pk}/talks/{talk.pk}/"
    teacher_page = verified_client(cast.teacher).get(url).content.decode()
    assert "Anna räknar säkert med tal upp till 1000." in teacher_page
    assert 'data-testid="record-form"' in teacher_page
    assert 'data-testid="record-form"' not in verified_client(cast.guardian_1).get(url).content.decode()
    response = verified_client(cast.teacher).post(
        f"{url}record/", {"held_on": "not a date", "iup_summary": "Bra."}
    )
    assert response.status_code == 400
    assert "Bra." in response.content.decode()  # the text is kept


def test_pages_link_to_the_talks(cast: Cast) -> None:
    student_page = verified_client(cast.guardian_1).get(f"/students/{cast.student.pk}/").content.decode()
    assert f'href="/students/{cast.student.pk}/talks/"' in student_page
    class_page = verified_client(cast.teacher).get(f"/classes/{cast.class_4a.pk}/").content.decode()
    assert f'href="/classes/{cast.class_4a.pk}/talks/"' in class_page


def test_the_demo_school_gets_times_a_booked_talk_and_a_recorded_one(db: None) -> None:
    from dialogue.demo import talks as demo

    call_command("seed_demo", stdout=io.StringIO())
    demo.seed({})
    demo.seed({})  # a second run adds nothing
    assert TalkSlot.objects.count() == 10
    booked = DevelopmentTalk.objects.get(student__username="alva.eriksson")
    assert card(booked)["guardians"] == ["Sara Lind", "Johan Eriksson"]
    iup = queries.current_iup(User.objects.get(username="elsa.lindqvist"))
    assert iup is not None
    assert "Läsa tillsammans" in iup.home_actions
