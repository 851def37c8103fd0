"""What clients receive about a message: one JSON shape for the page's first render, live
events and catching up after a reconnect. Built once per change and sent to every member,
so it holds nothing that depends on who reads it (the browser marks its own messages); a
render for one person names the writers as that person may see them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts import policy
from accounts.models import CurriculumArea
from dialogue.models import (
    ActionProgramme,
    Assessment,
    Attachment,
    DevelopmentTalk,
    FollowUp,
    Goal,
    Message,
    ProgrammeVersion,
    SelfAssessment,
)
from writing.rendering import render_markdown


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.display_name,
        "kind": attachment.kind,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": reverse("attachment", args=[attachment.page_id, attachment.pk]),
    }


def _author_name(message: Message, hidden: policy.HiddenNames | None) -> str:
    """The writer's name as the reader may see it. ``hidden``: the viewer's answer of
    ``policy.names_hidden_from`` (a render for one person); without it (a frame for everyone
    on the page) a protected guardian is "A guardian", since the child's other guardian may
    not see the name: those who may see it get it when they load the page. Everyone on a
    page may see its student's name. No query unless the writer is protected."""
    author = message.author
    if hidden is not None:
        return policy.shown_name(author, hidden)
    if author.is_protected and author.pk != message.page.student_id:
        return policy.shown_name(author, policy.names_hidden_from(AnonymousUser(), [author]))
    return author.display_name


def message_payload(
    message: Message, attachments: list[Attachment], hidden: policy.HiddenNames | None = None
) -> dict[str, Any]:
    """Precondition: ``message.author`` is loaded (select_related) and ``attachments`` are
    the message's attachments. A retracted message keeps its place but not its content.
    ``hidden``: for a render for one viewer, whose names they may not see (``_author_name``)."""
    retracted = message.retracted_at is not None
    return {
        "id": message.pk,
        "page": message.page_id,
        "thread": message.thread_id,
        "seq": message.seq,
        "change_seq": message.change_seq,
        "client_id": str(message.client_id),
        "author": {"id": message.author_id, "name": _author_name(message, hidden)},
        "html": "" if retracted else message.body_html,
        "body": "" if retracted else message.body,  # the Markdown source, for editing
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "retracted": retracted,
        "attachments": [] if retracted else [attachment_payload(a) for a in attachments],
        "card": message.card,
    }


def names(obj: Any) -> dict[str, str]:
    """Both languages of a name (subjects, areas): a card is built once for every reader,
    and each browser shows its reader's language."""
    return {"sv": obj.name_sv, "en": obj.name_en}


def assessment_card(assessment: Assessment, corrected_by: Assessment | None = None) -> dict[str, Any]:
    """The card of a published assessment. Precondition: ``subject``, ``school_year`` and
    ``published_by`` loaded. Costs one query (the subject's areas)."""
    areas = {str(area.pk): area for area in CurriculumArea.objects.filter(subject_id=assessment.subject_id)}
    return {
        "type": "assessment",
        "id": assessment.pk,
        "subject": names(assessment.subject),
        "period": assessment.period_label,
        "version": assessment.version,
        "corrects": assessment.corrects_id is not None,
        "corrected_by": corrected_by.version if corrected_by else None,
        "levels": [
            {"area": names(area), "level": assessment.levels.get(pk, "")}
            for pk, area in areas.items()
            if assessment.use_levels and assessment.levels.get(pk)
        ],
        "can_html": render_markdown(assessment.can_text) if assessment.can_text else "",
        "develop_html": render_markdown(assessment.develop_text) if assessment.develop_text else "",
        "by": assessment.published_by.display_name if assessment.published_by else "",
        "published_at": assessment.published_at.isoformat() if assessment.published_at else None,
        "url": reverse("assessment-history", args=[assessment.student_id, assessment.pk]),
    }


def in_both_languages(render: Callable[[], str]) -> dict[str, str]:
    """A text formatted once per language (dates, month names), like ``names``."""
    result = {}
    for code in ("sv", "en"):
        with translation.override(code):
            result[code] = render()
    return result


def talk_time(starts_at: datetime.datetime) -> dict[str, str]:
    """When a talk starts, as each reader's language writes it: "torsdag 3 december 2026 13:00"."""
    local = timezone.localtime(starts_at)
    return in_both_languages(lambda: f"{date_format(local, 'l j F Y')} {date_format(local, 'H:i')}")


def talk_card(talk: DevelopmentTalk) -> dict[str, Any]:
    """The card of a development talk: when, where, who is coming, and once recorded the
    agreements. Precondition: ``slot__teacher``, ``student``, ``cancelled_by`` and
    ``recorded_by`` loaded or loadable. Costs one query (the guardians coming)."""
    slot = talk.slot
    coming = [
        attendee.guardian.display_name
        for attendee in talk.attendees.filter(left_at__isnull=True)
        .select_related("guardian")
        .order_by("joined_at", "pk")
    ]
    record = None
    if talk.recorded_at is not None and talk.held_on is not None:
        held_on = talk.held_on
        record = {
            "held_on": in_both_languages(lambda: date_format(held_on, "j F Y")),
            "iup_html": render_markdown(talk.iup_summary) if talk.iup_summary else "",
            "school_html": render_markdown(talk.school_actions) if talk.school_actions else "",
            "home_html": render_markdown(talk.home_actions) if talk.home_actions else "",
            "by": talk.recorded_by.display_name if talk.recorded_by else "",
        }
    if talk.cancelled_at is not None:
        status = "cancelled"
    elif record is not None:
        status = "recorded"
    else:
        status = "booked"
    return {
        "type": "talk",
        "id": talk.pk,
        "status": status,
        "when": talk_time(slot.starts_at),
        "starts_at": slot.starts_at.isoformat(),
        "minutes": slot.minutes,
        "place": slot.place,
        "video": slot.video,
        "teacher": slot.teacher.display_name,
        "student": talk.student.display_name,
        "guardians": coming,
        "cancelled_by": talk.cancelled_by.display_name if talk.cancelled_by else "",
        "record": record,
        "url": reverse("talk", args=[talk.student_id, talk.pk]),
    }


def action_programme_card(
    programme: ActionProgramme,
    versions: list[ProgrammeVersion],
    next_follow_up: FollowUp | None,
    views: int,
    today: datetime.date,
) -> dict[str, Any]:
    """The card of an action programme: its status, how many views were given, the next
    follow-up (overdue marked; the browser marks it again by its own date) and the latest
    decision with its appeal date. Precondition: ``versions`` are all the programme's
    versions in order, with ``decided_by``; ``programme.subject`` and ``closed_by`` loaded."""
    decided = [v for v in versions if v.decided_on is not None]
    shown = next((v for v in reversed(versions) if v.status == ProgrammeVersion.Status.ADOPTED), None)
    shown = shown or (versions[-1] if versions else None)
    last_decision = decided[-1] if decided else None
    pending = next((v for v in versions if v.status == ProgrammeVersion.Status.DRAFT), None)
    return {
        "type": "action_programme",
        "id": programme.pk,
        "status": programme.status,
        "subject": names(programme.subject) if programme.subject else None,
        "version": shown.number if shown else 1,
        "needs_html": render_markdown(shown.needs) if shown and shown.needs else "",
        "pending_version": pending.number if pending and programme.status != "closed" else None,
        "views": views,
        "next_follow_up": (
            {
                "on": next_follow_up.due_on.isoformat(),
                "what": next_follow_up.what_to_check,
                "overdue": next_follow_up.due_on < today,
            }
            if next_follow_up and programme.status == ActionProgramme.Status.ADOPTED
            else None
        ),
        "decision": (
            {
                "adopted": last_decision.status != ProgrammeVersion.Status.DECLINED,
                "version": last_decision.number,
                "on": last_decision.decided_on.isoformat() if last_decision.decided_on else None,
                "by": last_decision.decided_by.display_name if last_decision.decided_by else "",
                "appeal_until": last_decision.appeal_until.isoformat()
                if last_decision.appeal_until
                else None,
            }
            if last_decision
            else None
        ),
        "closed": (
            {
                "on": programme.closed_on.isoformat() if programme.closed_on else None,
                "by": programme.closed_by.display_name if programme.closed_by else "",
            }
            if programme.status == ActionProgramme.Status.CLOSED
            else None
        ),
        "url": reverse("action-programme", args=[programme.student_id, programme.pk]),
    }


# How many of a goal's reflections its card shows (the newest); the goals page shows all.
CARD_REFLECTIONS = 3


def _names_or_none(obj: Any) -> dict[str, str] | None:
    return names(obj) if obj is not None else None


def goal_card(goal: Goal) -> dict[str, Any]:
    """The card of a goal in its subject's (or the general) thread. Precondition:
    ``subject``, ``area``, ``created_by`` and ``decided_by`` loaded. Costs two queries (the
    newest reflections and the goal that replaces this one), three when the card shows only
    some of the reflections (their count)."""
    reflections = list(goal.reflections.order_by("-created_at", "-pk")[:CARD_REFLECTIONS])
    reflections.reverse()
    replaced_by = Goal.objects.filter(replaces=goal).values_list("pk", flat=True).first()
    return {
        "type": "goal",
        "id": goal.pk,
        "status": goal.status,
        "subject": _names_or_none(goal.subject),
        "area": _names_or_none(goal.area),
        "text_html": render_markdown(goal.text),
        "target_date": goal.target_date.isoformat() if goal.target_date else None,
        "proposed": goal.proposed,
        "by": goal.created_by.display_name,
        "decided_by": goal.decided_by.display_name if goal.decided_by else None,
        "decline_reason_html": render_markdown(goal.decline_reason) if goal.decline_reason else "",
        "replaces": goal.replaces_id,
        "replaced_by": replaced_by,
        "reflections": [
            {"html": render_markdown(reflection.text), "at": reflection.created_at.isoformat()}
            for reflection in reflections
        ],
        "reflection_count": goal.reflections.count()
        if len(reflections) == CARD_REFLECTIONS
        else len(reflections),
        "url": reverse("goals", args=[goal.student_id]) + f"#goal-{goal.pk}",
    }


def self_assessment_card(assessment: SelfAssessment) -> dict[str, Any]:
    """The card of a self-assessment. Precondition: ``goal``, ``subject``, ``area`` and
    ``student`` loaded."""
    return {
        "type": "self_assessment",
        "id": assessment.pk,
        "level": assessment.level,
        "subject": _names_or_none(assessment.subject),
        "area": _names_or_none(assessment.area),
        "goal_html": render_markdown(assessment.goal.text) if assessment.goal else "",
        "text_html": render_markdown(assessment.text) if assessment.text else "",
        "by": assessment.student.display_name,
        "url": reverse("self-assessments", args=[assessment.student_id])
        + f"#self-assessment-{assessment.pk}",
    }
