# ruff: noqa: E501  (the demo messages are data; one line each reads best)
"""Give the demo school a living dialogue (idempotent): ``manage.py seed_demo_dialogue``.

Run after ``seed_demo``. Writes a few ordinary home-school conversations through the real
actions, as the demo people themselves, on the pages of Alva Eriksson (4A, separated
family) and Hugo Lindqvist (5B), then the documents, and fills the page of Elsa Lindqvist,
the demo student (``dialogue.demo.elsa``). Refuses to run in production.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.demo import action_programmes as demo_action_programmes
from dialogue.demo import archive as demo_archive
from dialogue.demo import assessments as demo_assessments
from dialogue.demo import elsa as demo_elsa
from dialogue.demo import goals as demo_goals
from dialogue.demo import private_threads as demo_private_threads
from dialogue.demo import receipts as demo_receipts
from dialogue.demo import support as demo_support
from dialogue.demo import talks as demo_talks
from dialogue.models import Message, Thread

# Demo documents (cards), in order: each ``seed(people)`` is idempotent.
DOCUMENT_SEEDS = [
    demo_assessments.seed,
    demo_goals.seed,
    demo_talks.seed,
    demo_action_programmes.seed,
    demo_support.seed,  # Alva's extra adaptations and two reports to the principal
    demo_elsa.seed,  # after the talks: Elsa's guardian books one of 4A's times
    demo_support.seed_elsa,  # after Elsa's assessments: the report her maths level prompted
    demo_private_threads.seed,  # on Elsa's page: one for her guardians, one for Henrik
    demo_archive.seed,  # Linnea's page from 2020-21, an archive today
    demo_receipts.seed,  # last: some family members read what was written
]

# (student, thread subject code or "" for general, author, text)
CONVERSATIONS = [
    (
        "alva.eriksson",
        "",
        "sara.lind",
        "Hej! Alva är hos mig den här veckan, så skicka gärna info om utflykten hit också. /Sara",
    ),
    (
        "alva.eriksson",
        "",
        "lars.berglund",
        "Hej Sara och Johan! Utflykten till Umeälven är på torsdag. Alva behöver:\n\n- matsäck\n- oömma kläder\n- vattenflaska",
    ),
    ("alva.eriksson", "", "johan.eriksson", "Tack! Jag hämtar henne efter fritids på fredag."),
    (
        "alva.eriksson",
        "SV",
        "lars.berglund",
        "Alva har skrivit en **mycket fin** berättelse om sin hund. Hon har börjat använda styckeindelning på egen hand.",
    ),
    ("alva.eriksson", "SV", "alva.eriksson", "Jag vill skriva en till om när vi var i fjällen!"),
    (
        "hugo.lindqvist",
        "",
        "karin.nordin",
        "Hej! Påminnelse: utvecklingssamtalen är veckan efter höstlovet. Bokningen öppnar snart.",
    ),
    (
        "hugo.lindqvist",
        "MA",
        "ahmed.hassan",
        "Vi arbetar med bråk och decimaltal. Hugo räknar säkert med bråk med samma nämnare; nästa steg är olika nämnare.",
    ),
    ("hugo.lindqvist", "MA", "henrik.lindqvist", "Tack! Vi övar lite hemma med pizzabitar :)"),
]


class Command(BaseCommand):
    help = "Write a few demo conversations on demo students' pages (does nothing if they exist)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_dialogue refuses to run in production.")
        people = {user.username: user for user in User.objects.filter(username__in=self._usernames())}
        missing = set(self._usernames()) - set(people)
        if missing:
            raise CommandError(f"Run seed_demo first (missing {', '.join(sorted(missing))}).")
        before = Message.objects.count()
        for index, (student_name, subject_code, author_name, text) in enumerate(CONVERSATIONS):
            page = page_of(people[student_name])
            thread = (
                page.threads.get(kind=Thread.Kind.SUBJECT, subject__code=subject_code)
                if subject_code
                else page.threads.get(kind=Thread.Kind.GENERAL)
            )
            # A fixed client id per line: a second run finds each message already stored.
            client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"elevdialog-demo/{index}")
            post_message(people[author_name], page, thread_id=thread.pk, body=text, client_id=client_id)
        self.stdout.write(f"Demo dialogue: {Message.objects.count() - before} message(s) written.")
        everyone = {user.username: user for user in User.objects.filter(is_active=True)}
        for seed in DOCUMENT_SEEDS:
            seed(everyone)
        self.stdout.write(
            "Demo documents: assessments, goals, a self-assessment, development talks and an action programme and special support written; Elsa's page filled."
        )

    @staticmethod
    def _usernames() -> set[str]:
        return {name for row in CONVERSATIONS for name in (row[0], row[2])}
