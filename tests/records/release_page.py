"""A student's page seeded for a request for public records, through the real dialogue
actions: messages (Markdown, a link, a heading, images and PDFs, an edit, a retraction),
assessment versions, goals, a talk's record and an action programme. Some things happen
before the request arrives (``received_at``), some after: the copy must show the page as it
stood at that moment.

``secrets`` are the passages the tests mask; ``open_sentences`` are texts that must be in
the copy; ``absent`` are texts that must never be in it (drafts, what came later)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from weasyprint import HTML

from dialogue.actions.action_programmes import decide_programme, draft_programme, give_view
from dialogue.actions.action_programmes import save_draft as save_programme_draft
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.goals import edit_goal, set_goal
from dialogue.actions.messages import edit_message, post_message, retract_message
from dialogue.actions.pages import page_of
from dialogue.actions.talks import record_talk
from dialogue.models import Attachment, Message, Thread
from tests.support.cast import Cast
from tests.support.dialogue import png_bytes
from tests.support.talks import past_talk

# Masked passages (each in a message unless said otherwise).
SWEDISH = "skolsköterskan Åsa Öberg om hennes allergi"
LONG = (
    "Utredningen från elevhälsan visar att Anna behöver särskilt stöd i läsning och skrivning, "
    "eftersom hon har svårt att avkoda längre ord utan bildstöd och tröttnar fort under långa lektioner"
)
LINK_TEXT = "remissen från Barnmottagningen"
LINK_TARGET = "journal.barnmottagning.example/remiss/anna-2026"
HEADING = "Möte om Dyslexiutredningen"
MASKED_IMAGE = "röntgenbild-hemlig.png"
MASKED_PDF = "läkarintyg-konfidentiellt.pdf"
MASKED_PDF_TEXT = "Intyget gäller Annas medicinering"
ASSESSMENT_SECRET = "Anna har anpassad studiegång enligt elevhälsans beslut"

OPEN_SENTENCES = [
    "Anna har varit på utflykt med klassen.",
    "Hon träffade",
    "i går.",
    "Läs mer i",
    "innan mötet.",
    "Vi ses på tisdag klockan nio.",
    "Första texten före begäran.",
    "Anna räknar säkert med tal upp till 1000.",
    "Anna räknar säkert med bråk och decimaltal.",
    "Anna ska kunna tabellerna 1–5.",
    "Anna läser mer och räknar.",
    "Anna behöver stöd i taluppfattning.",
    "Vi tycker att planen är bra.",
    "Teckningen från klassens utflykt",
]
# Never in a copy of a request that arrived at ``received_at``.
ABSENT = [
    "Ändrad text efter begäran.",
    "Meddelande skickat efter begäran.",
    "Korrigering publicerad efter begäran.",
    "Utkast till omdöme som aldrig publicerades.",
    "Utkast till ett nytt åtgärdsprogram som aldrig beslutades.",
    "Anna ska kunna tabellerna 1–10.",
]


@dataclass
class SeededPage:
    cast: Cast
    received_at: datetime.datetime
    messages: dict[str, Message]
    attachments: dict[str, Attachment]
    objects: dict[str, Any] = field(default_factory=dict)


def pdf_bytes(text: str) -> bytes:
    pdf = HTML(string=f"<!DOCTYPE html><html><body><p>{text}</p></body></html>").write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _send(cast: Cast, author: Any, body: str, *, files: Sequence[Attachment] = ()) -> Message:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(
        author,
        page,
        thread_id=thread.pk,
        body=body,
        client_id=uuid.uuid4(),
        attachment_ids=[file.pk for file in files],
        send_anyway=True,
    )
    return message


def seed_page(cast: Cast, *, filler: int = 40) -> SeededPage:
    """The page; ``filler`` plain messages make the copy run over several pages."""
    page = page_of(cast.student)
    messages: dict[str, Message] = {}
    files: dict[str, Attachment] = {}
    messages["plain"] = _send(cast, cast.guardian_1, "Anna har varit på **utflykt** med klassen.")
    messages["swedish"] = _send(cast, cast.guardian_1, f"Hon träffade {SWEDISH} i går.")
    messages["long"] = _send(cast, cast.teacher, f"Till er som vårdnadshavare: {LONG}. Hör av er.")
    messages["link"] = _send(
        cast, cast.teacher, f"Läs mer i [{LINK_TEXT}](https://{LINK_TARGET}) innan mötet."
    )
    messages["heading"] = _send(cast, cast.teacher, f"# {HEADING}\nVi ses på tisdag klockan nio.")
    files["masked_image"] = upload_attachment(
        cast.guardian_1, page, name=MASKED_IMAGE, data=png_bytes(colour="red")
    )
    files["image"] = upload_attachment(
        cast.guardian_1, page, name="teckning-klassen.png", data=png_bytes(colour="teal")
    )
    messages["images"] = _send(
        cast,
        cast.guardian_1,
        "Teckningen från klassens utflykt",
        files=[files["masked_image"], files["image"]],
    )
    files["masked_pdf"] = upload_attachment(
        cast.guardian_2, page, name=MASKED_PDF, data=pdf_bytes(MASKED_PDF_TEXT)
    )
    files["pdf"] = upload_attachment(
        cast.guardian_2, page, name="schema-vt.pdf", data=pdf_bytes("Schemat för vårterminen i 4A")
    )
    messages["pdfs"] = _send(
        cast, cast.guardian_2, "Här är två papper.", files=[files["masked_pdf"], files["pdf"]]
    )
    messages["edited"] = _send(cast, cast.guardian_2, "Första texten före begäran.")
    messages["retracted"] = _send(cast, cast.guardian_2, "Det här tar jag tillbaka.")
    retract_message(cast.guardian_2, messages["retracted"].pk)
    for number in range(filler):
        _send(
            cast, cast.teacher, f"Veckobrev nummer {number + 1}: " + "Vi har arbetat med taluppfattning. " * 6
        )

    # Assessments: version 1, a correction (version 2) with a passage to mask, and a third
    # version drafted before the request but published after it.
    draft, _f = save_draft(
        cast.teacher, cast.class_4a, cast.student, cast.maths, levels={},
        can_text="Anna räknar säkert med tal upp till 1000.", develop_text="Nästa steg är bråk.",
    )  # fmt: skip
    first = publish_assessment(cast.teacher, draft.pk)
    draft, _f = save_draft(
        cast.teacher, cast.class_4a, cast.student, cast.maths, levels={},
        can_text="Anna räknar säkert med bråk och decimaltal.",
        develop_text=f"{ASSESSMENT_SECRET}. Nästa steg är procent.",
    )  # fmt: skip
    second = publish_assessment(cast.teacher, draft.pk, send_anyway=True)
    third, _f = save_draft(
        cast.teacher, cast.class_4a, cast.student, cast.maths, levels={},
        can_text="Korrigering publicerad efter begäran.", develop_text="Nästa steg är procent.",
    )  # fmt: skip

    # A goal changed once before the request (the earlier version is a record of its own).
    goal = set_goal(cast.teacher, cast.student, subject=cast.maths, text="Anna ska kunna tabellerna 1–4.")
    edit_goal(cast.teacher, goal.pk, text="Anna ska kunna tabellerna 1–5.")
    # A talk held last week, recorded twice.
    talk = past_talk(cast)
    for summary in ("Anna läser mer.", "Anna läser mer och räknar."):
        record_talk(
            cast.teacher,
            talk,
            held_on=timezone.localdate() - datetime.timedelta(days=7),
            iup_summary=summary,
            school_actions="Lästräning.",
            home_actions="Läsa hemma.",
        )
    # An adopted programme with a view, and a new version drafted (never decided).
    programme = draft_programme(
        cast.teacher,
        cast.student,
        subject=cast.maths,
        needs="Anna behöver stöd i taluppfattning.",
        measures="Extra genomgång två gånger i veckan.",
        follow_ups=[(timezone.localdate() + datetime.timedelta(days=14), "Hur går taluppfattningen?")],
    )
    decide_programme(cast.principal, programme.pk, adopt=True)
    give_view(cast.guardian_1, programme.pk, body="Vi tycker att planen är bra.")
    save_programme_draft(
        cast.teacher, programme.pk, needs="Utkast till ett nytt åtgärdsprogram som aldrig beslutades."
    )

    received_at = timezone.now()

    # After the request arrived: an edit, a new message, a correction published, a goal changed.
    edit_message(cast.guardian_2, messages["edited"].pk, body="Ändrad text efter begäran.")
    messages["after"] = _send(cast, cast.guardian_1, "Meddelande skickat efter begäran.")
    publish_assessment(cast.teacher, third.pk)
    save_draft(
        cast.teacher, cast.class_4a, cast.student, cast.maths, levels={},
        can_text="Utkast till omdöme som aldrig publicerades.", develop_text="",
    )  # fmt: skip
    edit_goal(cast.teacher, goal.pk, text="Anna ska kunna tabellerna 1–10.")
    return SeededPage(
        cast=cast,
        received_at=received_at,
        messages=messages,
        attachments=files,
        objects={
            "first": first,
            "second": second,
            "third": third,
            "goal": goal,
            "talk": talk,
            "programme": programme,
        },
    )
