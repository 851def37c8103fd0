# ruff: noqa: E501  (the demo texts are data; one line each reads best)
"""Demo special support: Alva Eriksson (4A) has extra adaptations in Swedish (by her mentor)
and in maths (by her maths teacher, followed up once). An earlier report in maths was
investigated and ended in a decision not to write an action programme, with a view from her
mother and the appeal text; a report in Swedish is being investigated now. Elsa Lindqvist
(4A) has an adaptation in maths, and her maths teacher has reported, from her assessment's
"not yet acceptable" in problem solving, a report waiting for the principal's decision (the
principal's follow-up counts it). Made through the real actions; each student's part does
nothing if that student already has an adaptation."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Subject, User
from dialogue.actions import support as actions
from dialogue.models import Adaptation, Assessment

STUDENT = "alva.eriksson"
MENTOR = "lars.berglund"
MATHS_TEACHER = "ahmed.hassan"
PRINCIPAL = "eva.lindgren"
GUARDIAN = "sara.lind"
USERNAMES = frozenset({STUDENT, MENTOR, MATHS_TEACHER, PRINCIPAL, GUARDIAN, "elsa.lindqvist"})


def seed(people: dict[str, User]) -> None:
    student = people[STUDENT]
    if Adaptation.objects.filter(student=student).exists():
        return
    today = timezone.localdate()
    swedish, maths = (Subject.objects.get(code=code) for code in ("SV", "MA"))
    reading = actions.record_adaptation(
        people[MENTOR],
        student.pk,
        swedish.pk,
        description="- Alva får texterna i förväg och läser dem hemma innan vi arbetar med dem i klassen.\n- Kortare skrivuppgifter med en tydlig mall för början, mitten och slut.",
        starts_on=today - datetime.timedelta(days=42),
        follow_up_on=today + datetime.timedelta(days=10),
    )
    counting = actions.record_adaptation(
        people[MATHS_TEACHER],
        student.pk,
        maths.pk,
        description="Alva använder konkret material (tiobasmaterial) vid problemlösning och får instruktionerna uppdelade i steg.",
        starts_on=today - datetime.timedelta(days=60),
        follow_up_on=today,
    )
    actions.follow_up_adaptation(
        people[MATHS_TEACHER],
        counting.pk,
        result="Med stegvisa instruktioner löser Alva uppgifterna själv. Vi fortsätter och följer upp efter lovet.",
        continues=True,
        next_follow_up_on=today + datetime.timedelta(days=35),
    )

    # The earlier report: investigated, no action programme (the adaptations are enough).
    earlier = actions.report_support_need(
        people[MATHS_TEACHER],
        student.pk,
        observations="Alva har svårt att komma i gång med problemlösning och ber ofta om hjälp med första steget.",
        adaptations_tried="Stegvisa instruktioner och konkret material sedan början av terminen.",
        adaptation_ids=[counting.pk],
        subject_id=maths.pk,
    )
    actions.decide_investigation(
        people[PRINCIPAL],
        earlier.pk,
        investigate=True,
        investigator_id=people[MATHS_TEACHER].pk,
        investigate_by=today + datetime.timedelta(days=7),
    )
    actions.add_support_view(
        people[GUARDIAN],
        earlier.pk,
        body="Vi känner igen att Alva tycker att det är svårt att börja. Hemma hjälper det när vi delar upp uppgiften. Vi vill gärna vara med när ni pratar om fortsättningen.",
    )
    actions.record_support_outcome(
        people[PRINCIPAL],
        earlier.pk,
        needs_support=False,
        summary="Utredningen visar att Alva når kunskapskraven i matematik med de extra anpassningarna. Anpassningarna fortsätter och följs upp.",
        grounds="Alva utvecklas mot kunskapskraven med extra anpassningar inom den ordinarie undervisningen; särskilt stöd behövs inte nu.",
    )

    # The report now: being investigated by her mentor.
    current = actions.report_support_need(
        people[MENTOR],
        student.pk,
        observations="Alva läser långsamt och tappar sammanhanget i längre texter, trots texter i förväg och skrivmallar.",
        adaptations_tried="Texter i förväg, skrivmallar, högläsning i liten grupp.",
        adaptation_ids=[reading.pk],
        subject_id=swedish.pk,
    )
    actions.decide_investigation(
        people[PRINCIPAL],
        current.pk,
        investigate=True,
        investigator_id=people[MENTOR].pk,
        investigate_by=today + datetime.timedelta(days=21),
    )
    actions.add_support_view(
        people[STUDENT],
        current.pk,
        body="Jag tycker det är lättare när jag får läsa texten hemma först.",
    )


ELSA = "elsa.lindqvist"


def seed_elsa(people: dict[str, User]) -> None:
    """After Elsa's published maths assessment (``dialogue.demo.elsa``): the signal it raised,
    taken up by her maths teacher as a report waiting for the principal."""
    elsa = people[ELSA]
    if Adaptation.objects.filter(student=elsa).exists():
        return
    today = timezone.localdate()
    maths = Subject.objects.get(code="MA")
    assessment = (
        Assessment.objects.filter(student=elsa, subject=maths, status=Assessment.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )
    steps = actions.record_adaptation(
        people[MATHS_TEACHER],
        elsa.pk,
        maths.pk,
        description="Elsa får problemuppgifterna uppdelade i steg och en bild att rita i innan hon räknar.",
        starts_on=today - datetime.timedelta(days=28),
        follow_up_on=today + datetime.timedelta(days=14),
    )
    actions.report_support_need(
        people[MATHS_TEACHER],
        elsa.pk,
        observations="Elsa når ännu inte godtagbara kunskaper i problemlösning. Hon räknar säkert men kommer inte vidare i uppgifter med flera steg, också med uppdelade uppgifter.",
        adaptations_tried="Uppgifter uppdelade i steg och bildstöd sedan fyra veckor.",
        adaptation_ids=[steps.pk],
        subject_id=maths.pk,
        assessment_id=assessment.pk if assessment else None,
    )
