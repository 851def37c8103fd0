"""Dialogue objects on the cast's student's page, made through the real actions."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

from django.utils import timezone
from PIL import Image

from dialogue.actions.action_programmes import decide_programme, draft_programme
from dialogue.actions.assessments import add_phrase, publish_assessment, save_draft
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.goals import propose_goal, set_goal
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from tests.support.cast import Cast
from writing.models import FlaggedText


def png_bytes(size: tuple[int, int] = (40, 30), colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def dialogue_objects(cast: Cast) -> dict[str, Any]:
    """The student's page with its general thread, a message by guardian_1 with an image,
    and a flagged text (a message sent despite the guard's warning)."""
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    attachment = upload_attachment(cast.guardian_1, page, name="teckning.png", data=png_bytes())
    message, _payload = post_message(
        cast.guardian_1,
        page,
        thread_id=thread.pk,
        body="Anna har **ritat** en teckning hemma.",
        client_id=uuid.uuid4(),
        attachment_ids=[attachment.pk],
    )
    flagged_message, _payload = post_message(
        cast.guardian_2,
        page,
        thread_id=thread.pk,
        body="Hon har en diagnos sedan i våras.",
        client_id=uuid.uuid4(),
        send_anyway=True,
    )
    flag = FlaggedText.objects.get(source_id=flagged_message.pk)
    return {"page": page, "thread": thread, "message": message, "attachment": attachment, "flag": flag}


def assessment_objects(cast: Cast) -> dict[str, Any]:
    """A published maths assessment of the student (by the teacher) and a phrase of the
    teacher's bank."""
    draft, _findings = save_draft(
        cast.teacher,
        cast.class_4a,
        cast.student,
        cast.maths,
        levels={},
        can_text="Anna räknar säkert med tal upp till 1000.",
        develop_text="Nästa steg är bråk.",
    )
    assessment = publish_assessment(cast.teacher, draft.pk)
    phrase = add_phrase(cast.teacher, text="Visar god förståelse.", subject=cast.maths)
    return {"assessment": assessment, "phrase": phrase}


def action_programme_objects(cast: Cast) -> dict[str, Any]:
    """An action programme of the student drafted by the teacher and adopted by the
    principal, with its first (outstanding) follow-up."""
    today = timezone.localdate()
    programme = draft_programme(
        cast.teacher,
        cast.student,
        subject=cast.maths,
        needs="Anna behöver stöd i taluppfattning.",
        measures="Extra genomgång två gånger i veckan.",
        responsible="Lars Lund, speciallärare",
        follow_ups=[(today + datetime.timedelta(days=14), "Hur går taluppfattningen?")],
    )
    decide_programme(cast.principal, programme.pk, adopt=True)
    follow_up = programme.follow_ups.get()
    return {"programme": programme, "follow_up": follow_up}


def goal_objects(cast: Cast) -> dict[str, Any]:
    """An active maths goal of the student (set by the teacher) and a general goal proposed
    by guardian_1, waiting for a teacher."""
    goal = set_goal(cast.teacher, cast.student, subject=cast.maths, text="Anna ska kunna tabellerna 1–5.")
    proposal = propose_goal(cast.guardian_1, cast.student, text="Anna vill läsa en bok i veckan.")
    return {"goal": goal, "proposal": proposal}
