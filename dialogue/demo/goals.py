"""Goals and a self-assessment on Alva Eriksson's page (4A): two active goals set by her
teachers and one reached, a proposal by her guardian Sara waiting for a teacher, one
reflection by Alva, and one self-assessment."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from accounts import policy
from accounts.models import CurriculumArea, Subject, User
from dialogue.actions.goals import change_goal_status, propose_goal, reflect_on_goal, set_goal
from dialogue.actions.self_assessments import write_self_assessment
from dialogue.models import Goal

USERNAMES = frozenset({"alva.eriksson", "lars.berglund", "ahmed.hassan", "sara.lind"})


def _area(subject: Subject, name_sv: str) -> CurriculumArea:
    return CurriculumArea.objects.get(subject=subject, name_sv=name_sv)


def seed(people: Mapping[str, User]) -> None:
    """Write the demo goals through the actions, as the demo people; does nothing when Alva
    has goals already. ``people`` maps usernames (at least ``USERNAMES``) to users."""
    alva = people["alva.eriksson"]
    if Goal.objects.filter(student=alva).exists():
        return
    lars, ahmed, sara = people["lars.berglund"], people["ahmed.hassan"], people["sara.lind"]
    swedish, maths = Subject.objects.get(code="SV"), Subject.objects.get(code="MA")
    in_a_while = policy.today() + datetime.timedelta(days=75)

    writing = set_goal(
        lars,
        alva,
        subject=swedish,
        area=_area(swedish, "Berättande texter och faktatexter"),
        text="Jag ska skriva berättelser med en tydlig **början**, **handling** och ett **slut**.",
        target_date=in_a_while,
    )
    set_goal(
        lars,
        alva,
        text="Jag ska räcka upp handen och fråga när jag inte förstår en uppgift.",
    )
    tables = set_goal(
        ahmed,
        alva,
        subject=maths,
        area=_area(maths, "Taluppfattning och tals användning"),
        text="Jag ska kunna multiplikationstabellerna 1–5 utantill.",
    )
    change_goal_status(ahmed, tables.pk, status=Goal.Status.REACHED)
    propose_goal(
        sara,
        alva,
        subject=swedish,
        text="Alva vill bli tryggare på att läsa högt för klassen. Kan det bli ett mål?",
    )
    reflect_on_goal(
        alva,
        writing.pk,
        text="Jag har börjat på en berättelse om när vi var i fjällen. Början blev bra, men slutet är svårt!",
    )
    write_self_assessment(
        alva,
        alva,
        goal_id=writing.pk,
        level="fairly_well",
        text="Jag kommer på bra början. Jag vill öva mer på att skriva slut.",
    )
