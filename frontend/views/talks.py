"""Development talks in the browser, all usable without scripts: the teacher's class page
(open slots in bulk, bookings per slot, who has no talk this term, cancel a slot), the
booking page of a student (book, join the other guardian's talk, move, cancel) and the talk
page (preparation, the written assessments, the teacher's agreements)."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import NotFound, Refused, SensitiveText
from accounts.models import User
from dialogue import doors, queries
from dialogue.actions import talks as actions
from dialogue.models import MAX_PLACE_LENGTH, MAX_TALK_TEXT, DevelopmentTalk, TalkSlot
from frontend.answers import FormFailure, form_failure, one_button
from frontend.requests import send_anyway, viewer

LENGTHS = [15, 20, 30, 45, 60]


def _by_day(slots: list[TalkSlot]) -> list[tuple[datetime.date, list[TalkSlot]]]:
    return [
        (day, list(group))
        for day, group in itertools.groupby(slots, key=lambda slot: timezone.localdate(slot.starts_at))
    ]


def _number(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Refused("malformed", _("Give the length in whole minutes.")) from None


# --- The teacher's page of a class ---------------------------------------------------------


@require_GET
@login_required
def class_talks_view(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policy.access_class_roster(user, class_id)
    today = policy.today()
    starts, ends = queries.term_range(school_class.school_id, today)
    slots = queries.class_talk_slots(
        school_class, timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    )
    return render(
        request,
        "frontend/class_talks.html",
        {
            "school_class": school_class,
            "can_manage": policy.can_manage_talk_slots(user, school_class),
            "days": _by_day(slots),
            "now": timezone.now(),
            "without": queries.students_without_talk(school_class, starts, ends),
            "term_starts": starts,
            "term_ends": ends,
            "lengths": LENGTHS,
            "today": today,
            "max_place": MAX_PLACE_LENGTH,
        },
    )


@require_POST
@login_required
def talk_slots_open_view(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policy.access_class_roster(user, class_id)
    post = request.POST

    def open_slots() -> list[TalkSlot]:
        try:
            day = datetime.date.fromisoformat(post.get("day", ""))
            start = datetime.time.fromisoformat(post.get("start", ""))
            until = datetime.time.fromisoformat(post["until"]) if post.get("until") else None
        except ValueError:
            raise Refused(
                "malformed", _("Give a date and times, for example 2026-12-03 and 13:00.")
            ) from None
        return actions.open_talk_slots(
            user,
            school_class,
            day=day,
            start=start,
            until=until,
            minutes=_number(post.get("minutes")),
            every=_number(post["every"]) if post.get("every") else None,
            place=post.get("place", ""),
            video=post.get("video") == "1",
        )

    return one_button(
        request,
        open_slots,
        done=lambda slots: (
            ngettext("%(count)d time opened for booking.", "%(count)d times opened for booking.", len(slots))
            % {"count": len(slots)}
        ),
        back=reverse("class-talks", args=[school_class.pk]),
    )


@require_POST
@login_required
def talk_slot_cancel_view(request: HttpRequest, class_id: int, slot_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policy.access_class_roster(user, class_id)
    slot = (
        TalkSlot.objects.select_related("school_class").filter(pk=slot_id, school_class=school_class).first()
    )
    if slot is None:
        raise NotFound
    return one_button(
        request,
        lambda: actions.cancel_talk_slot(user, slot),
        done=_("The slot is cancelled. Anyone who had booked it is told."),
        back=reverse("class-talks", args=[school_class.pk]),
    )


# --- A student's talks: booking ------------------------------------------------------------


@require_GET
@login_required
def student_talks_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user = viewer(request)
    access = doors.student_page(user, student_id, what="talks")
    student = access.student
    now = timezone.now()
    can_book = access.relation.may_book_talk
    talks = queries.talks_of_student(student)
    upcoming = [t for t in talks if not t.is_cancelled and t.slot.starts_at > now]
    mine = next((t for t in upcoming if any(a.guardian_id == user.pk for a in t.coming)), None)  # type: ignore[attr-defined]
    siblings: list[User] = []
    if can_book:
        siblings = list(
            User.objects.filter(pk__in=policy.ward_ids(user)).exclude(pk=student.pk).order_by("first_name")
        )
    return render(
        request,
        "frontend/student_talks.html",
        {
            "student": student,
            "can_book": can_book,
            "talks": talks,
            "upcoming_ids": {t.pk for t in upcoming},
            "mine": mine,
            "days": _by_day(queries.free_talk_slots(student, now)) if can_book else [],
            "siblings": siblings,
        },
    )


def _talk(student_id: int, talk_id: int) -> DevelopmentTalk:
    """One of the student's talks, for an action (which opens the page through the door); a
    talk of another student is not found."""
    talk = queries.talk_of_student(student_id, talk_id)
    if talk is None:
        raise doors.not_found()
    return talk


def _booking(request: HttpRequest, student_id: int, run: Callable[[User], Any], success: str) -> HttpResponse:
    """Run a guardian's booking action (it opens the page through the door and checks that the
    actor may book: 404 for outsiders, 403 for other readers); a refusal is shown on the
    booking page."""
    return one_button(
        request, lambda: run(viewer(request)), done=success, back=reverse("student-talks", args=[student_id])
    )


def _slot_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("slot", ""))
    except ValueError:
        raise Refused("unknown_slot", _("That time is no longer offered. Choose another one.")) from None


@require_POST
@login_required
def talk_book_view(request: HttpRequest, student_id: int) -> HttpResponse:
    return _booking(
        request,
        student_id,
        lambda user: actions.book_talk(user, student_id, _slot_id(request)),
        _("The talk is booked. You find it below, and on the student's page."),
    )


@require_POST
@login_required
def talk_join_view(request: HttpRequest, student_id: int, talk_id: int) -> HttpResponse:
    return _booking(
        request,
        student_id,
        lambda user: actions.join_talk(user, _talk(student_id, talk_id)),
        _("You are coming to the talk too."),
    )


@require_POST
@login_required
def talk_cancel_view(request: HttpRequest, student_id: int, talk_id: int) -> HttpResponse:
    return _booking(
        request,
        student_id,
        lambda user: actions.cancel_booking(user, _talk(student_id, talk_id)),
        _("Your booking is cancelled."),
    )


@require_POST
@login_required
def talk_move_view(request: HttpRequest, student_id: int, talk_id: int) -> HttpResponse:
    return _booking(
        request,
        student_id,
        lambda user: actions.move_booking(user, _talk(student_id, talk_id), _slot_id(request)),
        _("Your booking is moved."),
    )


# --- The talk page: preparation and agreements -----------------------------------------------


def _render_talk(
    request: HttpRequest,
    access: doors.PageAccess,
    talk: DevelopmentTalk,
    *,
    preparation: str = "",
    record: dict[str, str] | None = None,
    failure: FormFailure | None = None,
) -> HttpResponse:
    student, relation = access.student, access.relation
    now = timezone.now()
    open_for_preparation = not talk.is_cancelled and talk.slot.starts_at > now
    held = not talk.is_cancelled and talk.slot.starts_at <= now
    if record is None:
        record = {
            "held_on": (talk.held_on or timezone.localdate(talk.slot.starts_at)).isoformat(),
            "iup_summary": talk.iup_summary,
            "school_actions": talk.school_actions,
            "home_actions": talk.home_actions,
        }
    if failure is not None and not failure.guarded:
        messages.error(request, failure.message)
    return render(
        request,
        "frontend/talk.html",
        {
            "student": student,
            "talk": talk,
            "can_prepare": open_for_preparation and relation.may_prepare_talk,
            "can_record": held and relation.may_record_talk,
            "preparation": preparation,
            "record": record,
            "findings": failure.findings_by_field if failure is not None else {},
            "assessments": queries.latest_assessments(student),
            "self_assessments": queries.talk_self_assessments(student),
            "max_length": MAX_TALK_TEXT,
        },
        # A form that comes back: 409 when the guard asks, 400 for a refusal.
        status=200 if failure is None else 409 if failure.guarded else 400,
    )


def _opened_talk(
    request: HttpRequest, student_id: int, talk_id: int
) -> tuple[doors.PageAccess, DevelopmentTalk]:
    return doors.document(
        viewer(request), student_id, "talk", lambda student: queries.talk_of_student(student, talk_id)
    )


@require_GET
@login_required
def talk_view(request: HttpRequest, student_id: int, talk_id: int) -> HttpResponse:
    access, talk = _opened_talk(request, student_id, talk_id)
    return _render_talk(request, access, talk)


@require_POST
@login_required
def talk_prepare_view(request: HttpRequest, student_id: int, talk_id: int) -> HttpResponse:
    talk = _talk(student_id, talk_id)
    body = request.POST.get("body", "")
    try:
        actions.add_preparation(viewer(request), talk, body=body, send_anyway=send_anyway(request))
    except (Refused, SensitiveText) as error:
        access, talk = _opened_talk(request, student_id, talk_id)
        return _render_talk(request, access, talk, preparation=body, failure=form_failure(error))
    messages.success(request, _("Your question or view is saved for the talk."))
    return redirect(reverse("talk", args=[student_id, talk.pk]) + "#preparation")


@require_POST
@login_required
def talk_record_view(request: HttpRequest, student_id: int, talk_id: int) -> HttpResponse:
    talk = _talk(student_id, talk_id)
    fields = {
        name: request.POST.get(name, "")
        for name in ("held_on", "iup_summary", "school_actions", "home_actions")
    }
    try:
        try:
            held_on = datetime.date.fromisoformat(fields["held_on"])
        except ValueError:
            raise Refused(
                "malformed", _("Give the date the talk was held, for example 2026-12-03.")
            ) from None
        actions.record_talk(
            viewer(request),
            talk,
            held_on=held_on,
            iup_summary=fields["iup_summary"],
            school_actions=fields["school_actions"],
            home_actions=fields["home_actions"],
            send_anyway=send_anyway(request),
        )
    except (Refused, SensitiveText) as error:
        access, talk = _opened_talk(request, student_id, talk_id)
        return _render_talk(request, access, talk, record=fields, failure=form_failure(error))
    messages.success(request, _("The agreements are recorded and shown on the student's page."))
    return redirect(reverse("talk", args=[student_id, talk.pk]) + "#agreements")
