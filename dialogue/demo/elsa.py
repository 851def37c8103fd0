# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""Elsa Lindqvist's page (4A), the demo student's first look: conversations with her mentor,
her maths and English teachers and her guardians Sofia and Henrik, two goals (one reached)
with a reflection and a self-assessment, a published maths assessment that was corrected, a
published Swedish assessment, and a development talk booked by Sofia. Made through the real
actions; each part is written once (a second run finds it and writes nothing). Run after the
talks' seed, whose times for 4A the booking takes."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping

from django.utils import timezone

from accounts import policy
from accounts.models import CurriculumArea, Subject, User
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.actions.goals import change_goal_status, reflect_on_goal, set_goal
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.actions.self_assessments import write_self_assessment
from dialogue.actions.talks import book_talk
from dialogue.demo.assessments import levels_by_name, student_class
from dialogue.models import Assessment, DevelopmentTalk, Goal, TalkSlot, Thread

STUDENT = "elsa.lindqvist"
USERNAMES = frozenset(
    {STUDENT, "sofia.lindqvist", "henrik.lindqvist", "lars.berglund", "ahmed.hassan", "jenny.marklund"}
)
DEMO = uuid.UUID("0b7c3f52-5f0e-4d0c-9a51-2d7c8e0e4a31")

# (thread: subject code or "" for the mentor's general thread, author, text), in order. The
# last word in the general thread is the mentor's, so Elsa's guardians have it unread.
CONVERSATION = [
    (
        "",
        "sofia.lindqvist",
        "Hej Lars! Elsa har tandläkartid på onsdag kl. 10, så hon kommer till skolan efter lunch. /Sofia",
    ),
    (
        "",
        "lars.berglund",
        "Tack för att du säger till! Jag ser till att hon får veta vad vi gjorde på förmiddagen.",
    ),
    ("", "elsa.lindqvist", "Får jag ta med min bok om hästar till läsvilan?"),
    (
        "",
        "lars.berglund",
        "Absolut, Elsa! Ta gärna med den på fredag.\n\nTill er hemma: nästa vecka har vi **friluftsdag**. Elsa behöver:\n\n- varma kläder\n- matsäck\n- vattenflaska",
    ),
    (
        "SV",
        "lars.berglund",
        "Elsa har skrivit klart sin berättelse om fjällresan. Hon har en tydlig början och ett spännande mitten. Nästa steg: ett slut som knyter ihop det hela.",
    ),
    ("SV", "elsa.lindqvist", "Jag ska skriva om slutet i helgen. Kan jag läsa upp den för klassen sen?"),
    ("SV", "lars.berglund", "Ja, det blir jättebra! Vi tar det på fredag."),
    (
        "MA",
        "ahmed.hassan",
        "Vi har börjat med multiplikation i två steg. Elsa kan nu tabellerna 1–5 utantill, bra jobbat!",
    ),
    ("MA", "henrik.lindqvist", "Kul att höra! Finns det något spel vi kan öva tabellerna 6–9 med hemma?"),
    (
        "MA",
        "ahmed.hassan",
        "Prova gärna att slå två tärningar och multiplicera talen: det blir veckans läxa. Elsa kan visa hur vi gör i klassen.",
    ),
    (
        "EN",
        "jenny.marklund",
        "This week we are learning words for animals and colours. Elsa did a great presentation about her dog!",
    ),
    ("EN", "elsa.lindqvist", "Thank you! My dog is brown and white."),
]

MATHS_LEVELS = {
    "Taluppfattning och tals användning": "more",
    "Geometri": "acceptable",
    "Problemlösning": "not_yet",
}
MATHS_CAN = "Elsa räknar säkert med de fyra räknesätten inom talområdet 0–1000 och kan multiplikationstabellerna 1–5 utantill."
MATHS_DEVELOP = "Nästa steg är att lösa problem i flera steg och att förklara hur hon tänker."
SWEDISH_LEVELS = {"Läsa och skriva": "acceptable", "Berättande texter och faktatexter": "more"}
SWEDISH_CAN = "Elsa läser med flyt och skriver berättelser med en tydlig början och handling."
SWEDISH_DEVELOP = "Elsa utvecklas vidare genom att skriva slut som knyter ihop berättelsen och att dela in texten i stycken."


def _conversation(people: Mapping[str, User], elsa: User) -> None:
    page = page_of(elsa)
    for index, (code, author, text) in enumerate(CONVERSATION):
        threads = (
            page.threads.filter(kind=Thread.Kind.SUBJECT, subject__code=code)
            if code
            else page.threads.filter(kind=Thread.Kind.GENERAL)
        )
        thread = threads.get()
        # A fixed client id per line: a second run finds each message already stored.
        client_id = uuid.uuid5(DEMO, f"message {index}")
        post_message(people[author], page, thread_id=thread.pk, body=text, client_id=client_id)


def _goals(people: Mapping[str, User], elsa: User) -> None:
    if Goal.objects.filter(student=elsa).exists():
        return
    lars, ahmed = people["lars.berglund"], people["ahmed.hassan"]
    swedish, maths = Subject.objects.get(code="SV"), Subject.objects.get(code="MA")
    endings = set_goal(
        lars,
        elsa,
        subject=swedish,
        area=CurriculumArea.objects.get(subject=swedish, name_sv="Berättande texter och faktatexter"),
        text="Jag ska skriva berättelser med ett **slut** som knyter ihop handlingen.",
        target_date=policy.today() + datetime.timedelta(days=60),
    )
    tables = set_goal(
        ahmed,
        elsa,
        subject=maths,
        area=CurriculumArea.objects.get(subject=maths, name_sv="Taluppfattning och tals användning"),
        text="Jag ska kunna multiplikationstabellerna 1–5 utantill.",
    )
    change_goal_status(ahmed, tables.pk, status=Goal.Status.REACHED)
    reflect_on_goal(
        elsa,
        endings.pk,
        text="Jag har skrivit om slutet på min fjällberättelse. Nu hittar familjen hem igen!",
    )
    write_self_assessment(
        elsa,
        elsa,
        goal_id=endings.pk,
        level="fairly_well",
        text="Jag kan skriva ett slut men vill öva mer på stycken.",
    )


def _assessments(people: Mapping[str, User], elsa: User) -> None:
    school_class = student_class(elsa)
    maths, swedish = Subject.objects.get(code="MA"), Subject.objects.get(code="SV")
    if not Assessment.objects.filter(student=elsa, subject=maths).exists():
        ahmed = people["ahmed.hassan"]
        first, _findings = save_draft(
            ahmed,
            school_class,
            elsa,
            maths,
            levels=levels_by_name(maths, {k: v for k, v in MATHS_LEVELS.items() if k != "Geometri"}),
            can_text=MATHS_CAN,
            develop_text=MATHS_DEVELOP,
        )
        publish_assessment(ahmed, first.pk)
        # A correction: the teacher had left out geometry; version 2 replaces version 1.
        second, _findings = save_draft(
            ahmed,
            school_class,
            elsa,
            maths,
            levels=levels_by_name(maths, MATHS_LEVELS),
            can_text=MATHS_CAN,
            develop_text=MATHS_DEVELOP,
        )
        publish_assessment(ahmed, second.pk)
    if not Assessment.objects.filter(student=elsa, subject=swedish).exists():
        lars = people["lars.berglund"]
        draft, _findings = save_draft(
            lars,
            school_class,
            elsa,
            swedish,
            levels=levels_by_name(swedish, SWEDISH_LEVELS),
            can_text=SWEDISH_CAN,
            develop_text=SWEDISH_DEVELOP,
        )
        publish_assessment(lars, draft.pk)


def _booked_talk(people: Mapping[str, User], elsa: User) -> None:
    now = timezone.now()
    upcoming = DevelopmentTalk.objects.filter(
        student=elsa, cancelled_at__isnull=True, slot__starts_at__gt=now
    )
    if upcoming.exists():
        return
    taken = DevelopmentTalk.objects.filter(cancelled_at__isnull=True).values("slot")
    free = (
        TalkSlot.objects.filter(
            school_class=student_class(elsa), cancelled_at__isnull=True, starts_at__gt=now, video=False
        )
        .exclude(pk__in=taken)
        .order_by("starts_at")
        .first()
    )
    if free is not None:
        book_talk(people["sofia.lindqvist"], elsa, free.pk)


def seed(people: Mapping[str, User]) -> None:
    """Fill Elsa's page; ``people`` maps usernames (at least ``USERNAMES``) to users."""
    elsa = people[STUDENT]
    _conversation(people, elsa)
    _goals(people, elsa)
    _assessments(people, elsa)
    _booked_talk(people, elsa)
