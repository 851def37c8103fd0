"""The principal's follow-up overview: what the rules require that has not happened yet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import policy
from dialogue import queries
from dialogue.overview import school_follow_up
from writing.queries import flagged_texts


@require_GET
@login_required
def follow_up_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = policy.access_led_school(request.user, school_id)
    classes = school_follow_up(school)
    chosen = request.GET.get("class", "")
    shown = [row for row in classes if str(row.school_class.pk) == chosen] or classes
    return render(
        request,
        "frontend/follow_up.html",
        {
            "school": school,
            "classes": classes,
            "shown": shown,
            "chosen": chosen if len(shown) == 1 and chosen else "",
            "flagged_count": flagged_texts(school.pk).count(),
            "follow_ups": list(queries.follow_ups_due(school, policy.today())),
        },
    )
