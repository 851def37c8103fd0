"""The principal's review list of texts saved despite the sensitive-text guard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.errors import NotFound
from frontend.requests import viewer
from writing.actions import review_flagged_text
from writing.guard import CATEGORY_LABELS
from writing.models import FlaggedText
from writing.queries import flagged_texts


@login_required
def flagged_texts_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = policy.access_led_school(viewer(request), school_id)
    reviewed = request.GET.get("show") == "reviewed"
    flags = list(flagged_texts(school.pk, reviewed=reviewed)[:200])
    for flag in flags:
        flag.labels = sorted({str(CATEGORY_LABELS.get(f["category"], f["category"])) for f in flag.findings})  # type: ignore[attr-defined]
        flag.words = sorted({f["matched"] for f in flag.findings})  # type: ignore[attr-defined]
    return render(
        request,
        "frontend/flagged_texts.html",
        {"school": school, "flags": flags, "reviewed": reviewed},
    )


@require_POST
@login_required
def review_view(request: HttpRequest, school_id: int, flag_id: int) -> HttpResponse:
    school = policy.access_led_school(viewer(request), school_id)
    flag = FlaggedText.objects.filter(pk=flag_id, school=school).first()
    if flag is None:
        raise NotFound
    review_flagged_text(viewer(request), flag, note=request.POST.get("note", ""))
    messages.success(request, _("Marked as reviewed."))
    return redirect("flagged-texts", school_id=school.pk)
