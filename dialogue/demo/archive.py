# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""The page of Linnea Forsberg, who finished year 9 in June 2021 (``accounts.demo.archive``):
a few conversations with her mentor, her maths teacher and her guardian, a maths goal and a
published maths assessment, written through the real actions as on their days in 2020-21,
while she was at school. Today the page is a read-only archive. Written once: a second run
finds it and writes nothing."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping

from accounts.demo.clock import as_on
from accounts.models import Enrolment, Subject, User
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.actions.goals import set_goal
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.demo.assessments import levels_by_name
from dialogue.models import Assessment, Goal, Thread

STUDENT = "linnea.forsberg"
USERNAMES = frozenset({STUDENT, "annika.forsberg", "lars.berglund", "ahmed.hassan"})
DEMO = uuid.UUID("5d1e0a8e-3c1b-4b7e-9f7a-21a6c0de2021")

# (day, thread: subject code or "" for the general thread, author, text)
CONVERSATION = [
    (
        datetime.date(2020, 9, 3),
        "",
        "annika.forsberg",
        "Hej Lars! Linnea undrar när prao-veckan blir i år. /Annika",
    ),
    (
        datetime.date(2020, 9, 4),
        "",
        "lars.berglund",
        "Hej! Praon är vecka 46. Linnea kan redan nu börja fråga runt efter en plats.",
    ),
    (
        datetime.date(2020, 11, 12),
        "MA",
        "ahmed.hassan",
        "Linnea löser linjära ekvationer säkert. Nästa steg är att ställa upp egna ekvationer från textuppgifter.",
    ),
    (
        datetime.date(2020, 11, 13),
        "MA",
        "linnea.forsberg",
        "Kan jag få några extra textuppgifter att öva på hemma?",
    ),
    (
        datetime.date(2021, 5, 25),
        "",
        "lars.berglund",
        "Nu närmar sig skolavslutningen! Tack för tre fina år, Linnea. Lycka till på gymnasiet!",
    ),
    # Last in the list (the client ids follow the order) though earlier in time. Its first
    # sentence is confidential (special support): the demo's release of her records masks it
    # (records.demo_release).
    (
        datetime.date(2021, 2, 9),
        "MA",
        "ahmed.hassan",
        "Linnea har fått särskilt stöd i matematik: hon arbetar med specialläraren i en liten grupp tre lektioner i veckan. Vi följer upp det vid utvecklingssamtalet i april.",
    ),
]


def _class_9a(linnea: User) -> Enrolment:
    return Enrolment.objects.select_related("school_class").filter(student=linnea).latest("starts_on")


def seed(people: Mapping[str, User]) -> None:
    linnea = people.get(STUDENT)
    if linnea is None:
        return
    page = page_of(linnea)
    for index, (day, code, author, text) in enumerate(CONVERSATION):
        threads = (
            page.threads.filter(kind=Thread.Kind.SUBJECT, subject__code=code)
            if code
            else page.threads.filter(kind=Thread.Kind.GENERAL)
        )
        with as_on(day):
            post_message(
                people[author],
                page,
                thread_id=threads.get().pk,
                body=text,
                client_id=uuid.uuid5(DEMO, f"message {index}"),
            )
    maths = Subject.objects.get(code="MA")
    ahmed = people["ahmed.hassan"]
    if not Goal.objects.filter(student=linnea).exists():
        with as_on(datetime.date(2020, 9, 20)):
            set_goal(
                ahmed,
                linnea,
                subject=maths,
                text="Jag ska kunna ställa upp och lösa ekvationer från textuppgifter.",
                target_date=datetime.date(2021, 3, 31),
            )
    if not Assessment.objects.filter(student=linnea).exists():
        with as_on(datetime.date(2020, 12, 14)):
            draft, _findings = save_draft(
                ahmed,
                _class_9a(linnea).school_class,
                linnea,
                maths,
                levels=levels_by_name(maths, {"Algebra": "more", "Geometri": "acceptable"}),
                can_text="Linnea löser linjära ekvationer och förklarar sina lösningar tydligt.",
                develop_text="Nästa steg är att ställa upp egna ekvationer från textuppgifter.",
            )
            publish_assessment(ahmed, draft.pk)
