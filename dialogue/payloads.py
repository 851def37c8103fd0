"""What clients receive about a message: one JSON shape for the page's first render, live
events and catching up after a reconnect. Built once per change and sent to every member,
so it holds nothing that depends on who reads it (the browser marks its own messages)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import CurriculumArea
from dialogue.models import Assessment, Attachment, Goal, Message, SelfAssessment
from dialogue.rendering import render_markdown


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


def message_payload(message: Message, attachments: list[Attachment]) -> dict[str, Any]:
    """Precondition: ``message.author`` is loaded (select_related) and ``attachments`` are
    the message's attachments. A retracted message keeps its place but not its content."""
    retracted = message.retracted_at is not None
    return {
        "id": message.pk,
        "page": message.page_id,
        "thread": message.thread_id,
        "seq": message.seq,
        "change_seq": message.change_seq,
        "client_id": str(message.client_id),
        "author": {"id": message.author_id, "name": message.author.display_name},
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
