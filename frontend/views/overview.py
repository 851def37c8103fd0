"""The principal's follow-up overview: what the rules require that has not happened yet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import policy
from dialogue import queries
from dialogue.overview import school_follow_up
from dialogue.queries import support as support_queries
from writing.queries import flagged_texts


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@require_GET
@login_required
def follow_up_view(request: HttpRequest, school_id: int) -> HttpResponse:
    """The class x subject table of missing written assessments reads at a glance; a cell
    (``?class=<id>&subject=<id>``) opens the list of students it counts. ``?class=<id>``
    alone narrows the lists of students to one class. Unknown numbers show the whole page."""
    school = policy.access_led_school(request.user, school_id)
    overview = school_follow_up(school)
    class_id = _number(request.GET.get("class", ""))
    subject_id = _number(request.GET.get("subject", ""))
    drill = overview.cell(class_id, subject_id) if class_id and subject_id else None
    classes = overview.classes
    # The lists of students without a talk narrow to a class chosen on its own.
    chosen = class_id if drill is None and not subject_id else None
    shown = [row for row in classes if row.school_class.pk == chosen] or classes
    return render(
        request,
        "frontend/follow_up.html",
        {
            "school": school,
            "overview": overview,
            "classes": classes,
            "shown": shown,
            "chosen": chosen if len(shown) == 1 and chosen else None,
            "drill": drill,
            "unknown_cell": bool(subject_id) and drill is None,
            "flagged_count": flagged_texts(school.pk).count(),
            "follow_ups": list(queries.follow_ups_due(school, policy.today())),
            # Special support: reports waiting, investigations and adaptations overdue.
            "reports_waiting": support_queries.reports_waiting(school, policy.today()),
            "investigations_overdue": support_queries.investigations_overdue(school, policy.today()),
            "adaptations_overdue": support_queries.adaptations_overdue(school, policy.today()),
        },
    )
