# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""Private threads on the demo family's page (Elsa Lindqvist, 4A): one the mentor started for
the guardians and the school (Elsa does not see it), and one Henrik started for himself and
the school (Sofia and Elsa do not see it). Made through the real actions, once: a second run
finds each message by its fixed client id and writes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from accounts import policy
from accounts.models import User
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.actions.threads import start_private_thread

STUDENT = "elsa.lindqvist"
DEMO = uuid.UUID("7d1f3e0c-2b8a-4f5e-9c61-0e4b3a2d9f17")

# (key, starter, audience, guardian or "", title, first message, replies: (author, text))
THREADS = [
    (
        "adults",
        "lars.berglund",
        policy.ADULTS,
        "",
        "Elsas läsning inför hösten",
        "Hej Sofia och Henrik! Jag skriver här utan Elsa: hon har berättat att hon helst inte vill läsa högt under läsvilan. Vi låter henne läsa tyst tills vidare. Hur upplever ni det hemma?",
        [
            (
                "sofia.lindqvist",
                "Tack Lars! Hon läser gärna för sig själv hemma men vill inte läsa högt för sin lillebror heller. Vi fortsätter så.",
            ),
        ],
    ),
    (
        "one_guardian",
        "henrik.lindqvist",
        policy.ONE_GUARDIAN,
        "henrik.lindqvist",
        "Hämtningar under min vecka",
        "Hej! Jag skriver bara till skolan: under mina veckor hämtar min sambo Elsa på onsdagar. Hon heter Maria och har blivit inlagd som hämtare hos fritids.",
        [
            ("lars.berglund", "Tack Henrik, det är noterat. Vi säger till fritids också."),
        ],
    ),
]


def seed(people: Mapping[str, User]) -> None:
    if STUDENT not in people:
        return
    page = page_of(people[STUDENT])
    for key, starter, audience, guardian, title, body, replies in THREADS:
        if starter not in people:
            continue
        thread, _message = start_private_thread(
            people[starter],
            page,
            audience=audience,
            guardian_id=people[guardian].pk if guardian in people else None,
            title=title,
            body=body,
            client_id=uuid.uuid5(DEMO, key),
        )
        for index, (author, text) in enumerate(replies):
            if author in people:
                post_message(
                    people[author],
                    page_of(people[STUDENT]),
                    thread_id=thread.pk,
                    body=text,
                    client_id=uuid.uuid5(DEMO, f"{key}/{index}"),
                )
