"""Action programmes (åtgärdsprogram): drafting by a teacher of the student or the principal,
views from the student and guardians, the principal's decision (appealable within three
weeks), follow-ups and closing. Every change rewrites the programme's card in its own
thread and is announced (``action_programme.drafted``, ``.decided``, ``.followed_up``,
``.closed``) for the notifications issue.

Refusals: ``NotFound("unknown_programme")`` for anyone who may not read the student's page
(the same answer as for a missing programme); ``Forbidden`` for a reader of the page whose
role does not allow the action.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import NotFound, Refused, require
from accounts.models import Subject, User
from accounts.policy import StudentRelation
from dialogue import doors
from dialogue.actions.cards import CardKind, document_thread, in_own_thread, refresh_card, show_card
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_FOLLOW_UP_TEXT,
    MAX_FOLLOW_UPS,
    MAX_PROGRAMME_TEXT,
    ActionProgramme,
    FollowUp,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
    Thread,
)
from dialogue.payloads import action_programme_card
from writing.texts import checked_text, guard_texts

FollowUpPlan = Iterable[tuple[datetime.date | str, str]]


# --- Checking input ---------------------------------------------------------------------------


def _text(text: str, label: str, *, required: bool = False, limit: int = MAX_PROGRAMME_TEXT) -> str:
    return checked_text(text, label, limit, required=required)


def _date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Refused("bad_date", _("Write the follow-up date as YYYY-MM-DD.")) from None


def _plan(follow_ups: FollowUpPlan) -> list[dict[str, str]]:
    """The planned follow-ups, each on a date from today with what is checked; rows left
    blank are skipped."""
    today = timezone.localdate()
    plan = []
    for on, what in follow_ups:
        what = _text(what, _("What is checked"), limit=MAX_FOLLOW_UP_TEXT)
        if not str(on).strip() and not what.strip():
            continue
        if not str(on).strip():
            raise Refused("no_date", _("Give every follow-up a date."))
        date = _date(on)
        if date < today:
            raise Refused(
                "past_follow_up",
                _("The follow-up date %(date)s has passed. Choose today or a later day.")
                % {"date": date.isoformat()},
            )
        plan.append({"on": date.isoformat(), "what": what})
    if len(plan) > MAX_FOLLOW_UPS:
        raise Refused(
            "too_many", _("At most %(limit)d follow-ups can be planned.") % {"limit": MAX_FOLLOW_UPS}
        )
    return sorted(plan, key=lambda item: item["on"])


def _content(needs: str, measures: str, responsible: str, follow_ups: FollowUpPlan) -> dict[str, Any]:
    return {
        "needs": _text(needs, _("The student's needs"), required=True),
        "measures": _text(measures, _("Measures and how the school carries them out")),
        "responsible": _text(responsible, _("Who is responsible")),
        "follow_up_plan": _plan(follow_ups),
    }


def _texts(content: dict[str, Any]) -> dict[str, str]:
    texts = {name: content[name] for name in ("needs", "measures", "responsible")}
    for index, item in enumerate(content["follow_up_plan"]):
        texts[f"follow_up_{index}"] = item["what"]
    return texts


# --- Fetching and the card --------------------------------------------------------------------


def _programme(actor: User, programme_id: int) -> tuple[ActionProgramme, StudentRelation]:
    """The programme and the actor's relation to its student; ``unknown_programme`` for a
    missing programme and for anyone who may not read the page alike."""
    programme = _rows().filter(pk=programme_id).first()
    if programme is None:
        raise NotFound("unknown_programme", _("That action programme does not exist."))
    try:
        access = doors.student_page(actor, programme.student_id, opening=False)
    except NotFound:
        raise NotFound("unknown_programme", _("That action programme does not exist.")) from None
    return programme, access.relation


def _rows() -> QuerySet[ActionProgramme]:
    return ActionProgramme.objects.select_related(
        "student", "subject", "closed_by", "page", "message__page", "message__author"
    )


def _locked(programme_id: int) -> ActionProgramme:
    """The programme read again under a lock (access was checked by ``_programme``).
    Precondition: inside a transaction."""
    return _rows().select_for_update(of=("self",)).get(pk=programme_id)


def _open(programme: ActionProgramme) -> None:
    if programme.status == ActionProgramme.Status.CLOSED:
        raise Refused("closed", _("The action programme is closed; nothing more can be changed."))


def _versions(programme: ActionProgramme) -> list[ProgrammeVersion]:
    return list(programme.versions.select_related("decided_by").order_by("number"))


def _next_follow_up(programme: ActionProgramme) -> FollowUp | None:
    return (
        FollowUp.objects.filter(programme=programme, recorded_at__isnull=True, replaced_by__isnull=True)
        .order_by("due_on", "pk")
        .first()
    )


def build_card(programme: ActionProgramme) -> dict[str, Any]:
    return action_programme_card(
        programme,
        _versions(programme),
        _next_follow_up(programme),
        ProgrammeView.objects.filter(programme=programme).count(),
        timezone.localdate(),
    )


PROGRAMME_CARD: CardKind[ActionProgramme] = CardKind(draw=build_card, thread=in_own_thread)


# --- Drafting ---------------------------------------------------------------------------------


def draft_programme(
    actor: User,
    student: User | int,
    *,
    needs: str,
    measures: str = "",
    responsible: str = "",
    follow_ups: FollowUpPlan = (),
    subject: Subject | None = None,
    send_anyway: bool = False,
) -> ActionProgramme:
    """Start a programme: version 1 as a draft, its own thread on the page with the card.
    A teacher of the student or the principal drafts."""
    access = doors.student_page(actor, student, opening=False)
    require(access.relation.may_draft_programme)
    student, page = access.student, access.page
    content = _content(needs, measures, responsible, follow_ups)
    texts = _texts(content)
    findings = guard_texts(texts, send_anyway=send_anyway)
    today = timezone.localdate()
    with transaction.atomic():
        thread = document_thread(page, Thread.Kind.ACTION_PROGRAMME, moment=today, subject=subject)
        programme = ActionProgramme.objects.create(
            student=student, page=page, subject=subject, thread=thread, created_by=actor
        )
        version = ProgrammeVersion.objects.create(programme=programme, author=actor, **content)
        ProgrammeRevision.objects.create(version=version, saved_by=actor, **content)
        show_card(
            actor,
            page,
            programme,
            PROGRAMME_CARD,
            summary=_("Action programme drafted by %(name)s") % {"name": actor.display_name},
        )
        flag_student_text(actor, page.student_id, FlagSource.ACTION_PROGRAMME, programme.pk, texts, findings)
        events.announce(
            "action_programme.drafted",
            actor_id=actor.pk,
            student_id=student.pk,
            page_id=page.pk,
            programme_id=programme.pk,
            version=1,
        )
    return programme


def save_draft(
    actor: User,
    programme_id: int,
    *,
    needs: str,
    measures: str = "",
    responsible: str = "",
    follow_ups: FollowUpPlan = (),
    send_anyway: bool = False,
) -> ProgrammeVersion:
    """Save the programme's draft again (a new revision; earlier ones stay), or start a new
    version when the last one is decided: an adopted programme is never edited in place."""
    programme, relation = _programme(actor, programme_id)
    require(relation.may_draft_programme)
    _open(programme)
    content = _content(needs, measures, responsible, follow_ups)
    texts = _texts(content)
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        programme = _locked(programme.pk)
        _open(programme)
        draft = programme.versions.filter(status=ProgrammeVersion.Status.DRAFT).first()
        started = draft is None
        if draft is None:
            last = programme.versions.order_by("-number").first()
            draft = ProgrammeVersion.objects.create(
                programme=programme, author=actor, number=(last.number + 1 if last else 1), **content
            )
        else:
            for name, value in content.items():
                setattr(draft, name, value)
            draft.author = actor
            draft.save()
        ProgrammeRevision.objects.create(version=draft, saved_by=actor, **content)
        refresh_card(programme, PROGRAMME_CARD)
        flag_student_text(
            actor, programme.student_id, FlagSource.ACTION_PROGRAMME, programme.pk, texts, findings
        )
        if started:
            events.announce(
                "action_programme.drafted",
                actor_id=actor.pk,
                student_id=programme.student_id,
                page_id=programme.page_id,
                programme_id=programme.pk,
                version=draft.number,
            )
    return draft


# --- Views of the student and guardians -------------------------------------------------------


def give_view(actor: User, programme_id: int, *, body: str, send_anyway: bool = False) -> ProgrammeView:
    """The student, guardians (and the school) give their view of the programme. Views are
    kept with author and time and never edited away; they do not decide anything."""
    programme, relation = _programme(actor, programme_id)
    require(relation.may_comment_on_programme)
    _open(programme)
    body = _text(body, _("Your view"), required=True)
    findings = guard_texts({"body": body}, send_anyway=send_anyway)
    with transaction.atomic():
        programme = _locked(programme.pk)
        _open(programme)
        version = programme.versions.order_by("-number").first()
        assert version is not None
        view = ProgrammeView.objects.create(programme=programme, version=version, author=actor, body=body)
        refresh_card(programme, PROGRAMME_CARD)
        flag_student_text(
            actor,
            programme.student_id,
            FlagSource.ACTION_PROGRAMME,
            programme.pk,
            {"body": body},
            findings,
        )
    return view


# --- The principal's decision -----------------------------------------------------------------


def decide_programme(
    actor: User, programme_id: int, *, adopt: bool | None, note: str = "", send_anyway: bool = False
) -> ProgrammeVersion:
    """The principal adopts or declines the draft version. The decision date and who decided
    are recorded; the decision can be appealed within three weeks. Adopting a new version
    replaces the previous adopted one and its outstanding follow-ups."""
    programme, relation = _programme(actor, programme_id)
    require(relation.may_decide_programme)
    _open(programme)
    if adopt is None:
        raise Refused("no_decision", _("Choose whether to adopt or decline the programme."))
    note = _text(note, _("Reason"), required=not adopt)
    findings = guard_texts({"note": note}, send_anyway=send_anyway)
    today = timezone.localdate()
    with transaction.atomic():
        programme = _locked(programme.pk)
        _open(programme)
        draft = programme.versions.filter(status=ProgrammeVersion.Status.DRAFT).first()
        if draft is None:
            raise Refused("nothing_to_decide", _("There is no draft to decide on."))
        if adopt and not draft.follow_up_plan:
            raise Refused("no_follow_up", _("Plan at least one follow-up before the programme is adopted."))
        draft.decided_on = today
        draft.decided_at = timezone.now()
        draft.decided_by = actor
        draft.decision_note = note
        if adopt:
            previous = programme.versions.filter(status=ProgrammeVersion.Status.ADOPTED)
            FollowUp.objects.filter(
                programme=programme, recorded_at__isnull=True, replaced_by__isnull=True
            ).update(replaced_by=draft)
            previous.update(status=ProgrammeVersion.Status.SUPERSEDED)
            draft.status = ProgrammeVersion.Status.ADOPTED
            FollowUp.objects.bulk_create(
                [
                    FollowUp(
                        programme=programme,
                        version=draft,
                        due_on=datetime.date.fromisoformat(item["on"]),
                        what_to_check=item["what"],
                    )
                    for item in draft.follow_up_plan
                ]
            )
            programme.status = ActionProgramme.Status.ADOPTED
        else:
            draft.status = ProgrammeVersion.Status.DECLINED
            if not programme.versions.filter(status=ProgrammeVersion.Status.ADOPTED).exists():
                programme.status = ActionProgramme.Status.DECLINED
        draft.save()
        programme.save(update_fields=["status"])
        summary = (
            _("Action programme adopted by %(name)s") if adopt else _("Action programme declined by %(name)s")
        ) % {"name": actor.display_name}
        refresh_card(programme, PROGRAMME_CARD, summary=summary)
        flag_student_text(
            actor,
            programme.student_id,
            FlagSource.ACTION_PROGRAMME,
            programme.pk,
            {"note": note},
            findings,
        )
        events.announce(
            "action_programme.decided",
            actor_id=actor.pk,
            student_id=programme.student_id,
            page_id=programme.page_id,
            programme_id=programme.pk,
            version=draft.number,
            adopted=bool(adopt),
            decided_on=today.isoformat(),
            decided_by_id=actor.pk,
        )
    return draft


# --- Follow-ups and closing -------------------------------------------------------------------


def record_follow_up(
    actor: User,
    follow_up_id: int,
    *,
    what_was_done: str,
    works: str,
    outcome: str = "",
    send_anyway: bool = False,
    programme_id: int | None = None,
) -> FollowUp:
    """A teacher or the principal records a planned follow-up of the adopted programme (of
    ``programme_id``, when given)."""
    follow_up = FollowUp.objects.filter(pk=follow_up_id).only("programme_id").first()
    if follow_up is None or (programme_id is not None and follow_up.programme_id != programme_id):
        raise NotFound("unknown_follow_up", _("That follow-up does not exist."))
    programme, relation = _programme(actor, follow_up.programme_id)
    require(relation.may_draft_programme)
    _open(programme)
    what_was_done = _text(what_was_done, _("What was done"), required=True)
    outcome = _text(outcome, _("Outcome"))
    if works not in FollowUp.Works.values:
        raise Refused("no_answer", _("Answer whether the support works."))
    texts = {"what_was_done": what_was_done, "outcome": outcome}
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        programme = _locked(programme.pk)
        _open(programme)
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
        if follow_up.replaced_by_id is not None:
            raise Refused("replaced", _("This follow-up belongs to a version that has been replaced."))
        if follow_up.recorded_at is not None:
            raise Refused("recorded", _("This follow-up is already recorded."))
        follow_up.recorded_on = timezone.localdate()
        follow_up.recorded_at = timezone.now()
        follow_up.recorded_by = actor
        follow_up.what_was_done = what_was_done
        follow_up.works = works
        follow_up.outcome = outcome
        follow_up.save()
        refresh_card(programme, PROGRAMME_CARD)
        flag_student_text(
            actor, programme.student_id, FlagSource.ACTION_PROGRAMME, programme.pk, texts, findings
        )
        events.announce(
            "action_programme.followed_up",
            actor_id=actor.pk,
            student_id=programme.student_id,
            page_id=programme.page_id,
            programme_id=programme.pk,
            follow_up_id=follow_up.pk,
            works=works,
        )
    return follow_up


def close_programme(
    actor: User, programme_id: int, *, reason: str, send_anyway: bool = False
) -> ActionProgramme:
    """The principal closes an adopted programme (the support is no longer needed, or is
    replaced), with the date, who and why."""
    programme, relation = _programme(actor, programme_id)
    require(relation.may_decide_programme)
    _open(programme)
    reason = _text(reason, _("Reason"), required=True)
    findings = guard_texts({"reason": reason}, send_anyway=send_anyway)
    with transaction.atomic():
        programme = _locked(programme.pk)
        _open(programme)
        if programme.status != ActionProgramme.Status.ADOPTED:
            raise Refused("not_adopted", _("Only an adopted programme can be closed."))
        programme.status = ActionProgramme.Status.CLOSED
        programme.closed_on = timezone.localdate()
        programme.closed_at = timezone.now()
        programme.closed_by = actor
        programme.close_reason = reason
        programme.save(update_fields=["status", "closed_on", "closed_at", "closed_by", "close_reason"])
        refresh_card(
            programme,
            PROGRAMME_CARD,
            summary=_("Action programme closed by %(name)s") % {"name": actor.display_name},
        )
        flag_student_text(
            actor,
            programme.student_id,
            FlagSource.ACTION_PROGRAMME,
            programme.pk,
            {"reason": reason},
            findings,
        )
        events.announce(
            "action_programme.closed",
            actor_id=actor.pk,
            student_id=programme.student_id,
            page_id=programme.page_id,
            programme_id=programme.pk,
            closed_on=programme.closed_on.isoformat(),
            closed_by_id=actor.pk,
        )
    return programme
