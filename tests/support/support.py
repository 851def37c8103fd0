"""Special-support objects for the shared tests, made with the real actions: an extra
adaptation in maths (followed up once, going on), and a report to the principal naming it,
decided to be investigated by the teacher, with a guardian's view."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from dialogue.actions.support import (
    add_support_view,
    decide_investigation,
    follow_up_adaptation,
    record_adaptation,
    report_support_need,
)
from tests.support.cast import Cast


def support_objects(cast: Cast) -> dict[str, Any]:
    today = timezone.localdate()
    adaptation = record_adaptation(
        cast.teacher,
        cast.student.pk,
        cast.maths.pk,
        description="Anna får uppgifterna uppdelade i mindre steg.",
        starts_on=today - datetime.timedelta(days=14),
        follow_up_on=today + datetime.timedelta(days=7),
    )
    follow_up = follow_up_adaptation(
        cast.teacher,
        adaptation.pk,
        result="Det går bättre med kortare steg.",
        continues=True,
        next_follow_up_on=today + datetime.timedelta(days=21),
    )
    case = report_support_need(
        cast.teacher,
        cast.student.pk,
        observations="Anna når inte målen i taluppfattning trots anpassningarna.",
        adaptations_tried="Uppdelade uppgifter.",
        adaptation_ids=[adaptation.pk],
        subject_id=cast.maths.pk,
    )
    decide_investigation(
        cast.principal,
        case.pk,
        investigate=True,
        investigator_id=cast.teacher.pk,
        investigate_by=today + datetime.timedelta(days=30),
    )
    view = add_support_view(cast.guardian_1, case.pk, body="Vi vill gärna vara med i utredningen.")
    return {
        "adaptation": adaptation,
        "adaptation_follow_up": follow_up,
        "support_case": case,
        "support_view": view,
    }
