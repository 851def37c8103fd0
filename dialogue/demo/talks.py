"""Demo development talks (idempotent), through the real actions: times for 4A next week
(the mentor Lars Berglund), a talk booked by Sara Lind for Alva Eriksson that Johan
Eriksson joined, and a talk two weeks ago for Elsa Lindqvist whose agreements are recorded
(her current IUP)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Enrolment, User
from dialogue.actions import talks
from dialogue.models import TalkSlot

USERNAMES = (
    "lars.berglund",
    "alva.eriksson",
    "sara.lind",
    "johan.eriksson",
    "elsa.lindqvist",
    "sofia.lindqvist",
    "henrik.lindqvist",
)

IUP_SUMMARY = """Elsa läser med flyt och berättar gärna om det hon läst. I matematik räknar hon säkert \
med de fyra räknesätten inom talområdet 0–1000.

Målen för läsåret: skriva längre texter med styckeindelning och lösa problem i flera steg."""
SCHOOL_ACTIONS = """- Elsa får läsa högt för en kamrat två gånger i veckan.
- Läraren ger återkoppling på styckeindelning i varje skrivuppgift."""
HOME_ACTIONS = """- Läsa tillsammans en stund varje kväll och prata om boken.
- Öva multiplikationstabellerna med spel hemma."""


def seed(people: dict[str, User]) -> None:
    people = dict(people)
    for name in USERNAMES:
        if name not in people:
            people[name] = User.objects.get(username=name)
    mentor = people["lars.berglund"]
    school_class = (
        Enrolment.objects.active()
        .filter(student=people["alva.eriksson"])
        .select_related("school_class")
        .get()
    ).school_class
    if TalkSlot.objects.filter(school_class=school_class).exists():
        return
    today = timezone.localdate()
    tuesday = today + datetime.timedelta(days=7 - today.weekday() + 1)  # next week's Tuesday
    slots = talks.open_talk_slots(
        mentor,
        school_class,
        day=tuesday,
        start=datetime.time(13, 0),
        until=datetime.time(16, 0),
        minutes=20,
        every=30,
        place="Klassrum 4A",
    )
    talks.open_talk_slots(
        mentor,
        school_class,
        day=tuesday + datetime.timedelta(days=2),
        start=datetime.time(16, 0),
        until=datetime.time(17, 30),
        minutes=30,
        video=True,
    )
    talk = talks.book_talk(people["sara.lind"], people["alva.eriksson"], slots[1].pk)
    talks.join_talk(people["johan.eriksson"], talk)

    held_on = today - datetime.timedelta(days=14)
    earlier = timezone.now() - datetime.timedelta(days=21)
    past = talks.open_talk_slots(
        mentor,
        school_class,
        day=held_on,
        start=datetime.time(14, 0),
        minutes=30,
        place="Klassrum 4A",
        now=earlier,
    )[0]
    held = talks.book_talk(people["sofia.lindqvist"], people["elsa.lindqvist"], past.pk, now=earlier)
    talks.join_talk(people["henrik.lindqvist"], held, now=earlier)
    talks.add_preparation(
        people["sofia.lindqvist"], held, body="Hur kan vi hjälpa Elsa med skrivandet hemma?", now=earlier
    )
    talks.record_talk(
        mentor,
        held,
        held_on=held_on,
        iup_summary=IUP_SUMMARY,
        school_actions=SCHOOL_ACTIONS,
        home_actions=HOME_ACTIONS,
    )
