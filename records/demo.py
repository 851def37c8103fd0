"""Access-log rows for Elsa Lindqvist's page in the demo (``manage.py seed_demo_access_log``):
a few weeks of openings by her mentor, her teachers and the principal, so that her family's
"who has opened this page" and the principal's review show something on the first look.

Each opening goes the real way (``accounts.openings.record_opening`` with the relation the
viewer had on that day, and the access log's receiver), only with a time in the past. Written
once: a second run finds Elsa's log and writes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from accounts import openings, policy
from accounts.models import User
from records.models import Opening
from records.queries import STAFF_ROLES

STUDENT = "elsa.lindqvist"
DAYS = 21

# (username, openings on an ordinary school day as (what, channel) choices, chance per day)
VIEWERS = [
    ("lars.berglund", [("page", openings.PAGE), ("live", openings.SOCKET), ("plan", openings.PAGE)], 0.8),
    (
        "ahmed.hassan",
        [("page", openings.PAGE), ("assessment", openings.PAGE), ("live", openings.SOCKET)],
        0.5,
    ),
    ("jenny.marklund", [("page", openings.PAGE), ("thread", openings.PAGE)], 0.3),
    (
        "eva.lindgren",
        [("goals", openings.PAGE), ("page", openings.NOTIFICATION), ("plan", openings.PAGE)],
        0.15,
    ),
]


def seed(today: datetime.date | None = None) -> int:
    """Write the demo openings of Elsa's page; how many were written (0 when already there)."""
    elsa = User.objects.filter(username=STUDENT).first()
    if elsa is None or Opening.objects.filter(student_id=elsa.pk, role__in=STAFF_ROLES).exists():
        return 0
    people = {user.username: user for user in User.objects.filter(username__in=[v[0] for v in VIEWERS])}
    today = today or timezone.localdate()
    chance = random.Random(2026)  # noqa: S311  (demo data, the same every time)
    written = 0
    for back in range(DAYS, 0, -1):
        day = today - datetime.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for username, choices, likelihood in VIEWERS:
            viewer = people.get(username)
            if viewer is None or chance.random() > likelihood:
                continue
            relation = policy.relation_to_student(viewer, elsa, on=day)
            if not relation.may_read:
                continue  # before the school year began
            for what, channel in chance.sample(choices, k=chance.randint(1, len(choices))):
                at = timezone.make_aware(
                    datetime.datetime.combine(
                        day, datetime.time(chance.randint(7, 16), chance.randint(0, 59))
                    )
                )
                with openings.through(channel):
                    openings.record_opening(
                        viewer_id=viewer.pk,
                        student_id=elsa.pk,
                        what=what,
                        object_id=None,
                        relation=relation,
                        at=at,
                    )
                written += 1
    return written
