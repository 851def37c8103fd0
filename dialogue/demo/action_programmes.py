# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""Demo action programme: Hugo Lindqvist (5B) in maths, drafted by his maths teacher, with
a view from his guardian, adopted by the principal, one follow-up recorded and one ahead.
Made through the real actions; does nothing if Hugo already has a programme."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Subject, User
from dialogue.actions import action_programmes as actions
from dialogue.models import ActionProgramme

STUDENT = "hugo.lindqvist"
TEACHER = "ahmed.hassan"
PRINCIPAL = "eva.lindgren"
GUARDIAN = "henrik.lindqvist"


def seed(people: dict[str, User]) -> None:
    student = people[STUDENT]
    if ActionProgramme.objects.filter(student=student).exists():
        return
    today = timezone.localdate()
    programme = actions.draft_programme(
        people[TEACHER],
        student,
        subject=Subject.objects.get(code="MA"),
        needs="Hugo behöver stöd för att nå kunskapskraven i matematik: taluppfattning och bråk med olika nämnare.",
        measures="- Extra genomgång med speciallärare två gånger i veckan (20 min).\n- Konkret material (bråkstavar) vid genomgångar i klassen.\n- Läxor anpassade till det vi arbetar med i smågruppen.",
        responsible="Ahmed Hassan (matematiklärare), speciallärare i matematik, mentor Karin Nordin",
        follow_ups=[
            (today, "Fungerar undervisningen i smågrupp? Hur går bråkdiagnosen?"),
            (
                today + datetime.timedelta(days=28),
                "Avstämning med Hugo och vårdnadshavare: nås målen för bråk?",
            ),
        ],
    )
    actions.give_view(
        people[GUARDIAN],
        programme.pk,
        body="Vi tycker att upplägget verkar bra. Vi övar gärna bråk hemma också om vi får tips på material.",
    )
    actions.decide_programme(people[PRINCIPAL], programme.pk, adopt=True)
    first = programme.follow_ups.order_by("due_on").first()
    assert first is not None
    actions.record_follow_up(
        people[TEACHER],
        first.pk,
        what_was_done="Hugo har haft sex pass med speciallärare. Vi har använt bråkstavar i helklass.",
        works="partly",
        outcome="Hugo jämför bråk med samma nämnare säkert; olika nämnare behöver mer övning.",
    )
