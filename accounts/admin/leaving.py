"""Recording that a student left, and undoing it, on the student's page in the school
administration. Both go through ``accounts.actions.leaving``, which checks that the
administrator answers for the student's school (current, or last when none)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actions import leaving as leaving_actions
from accounts.errors import Refused
from accounts.models import Enrolment, Leaving, User


class LeavingForm(forms.Form):
    left_on = forms.DateField(
        label=gettext_lazy("Left on"),
        help_text=gettext_lazy(
            "The first day the student is no longer at school. A day ahead may be chosen (the end "
            "of year 9): the page becomes a read-only archive on that day."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Leaving.Reason.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def standing_leaving(person: User) -> Leaving | None:
    """The person's leaving that is not undone (ahead or begun), for their admin page."""
    return Leaving.objects.filter(student=person, undone_at__isnull=True).first()


def leaving_context(person: User) -> dict[str, Any]:
    """What the person's change page shows about leaving: the standing leaving, or whether
    one may be recorded (the person was ever enrolled)."""
    leaving = standing_leaving(person)
    return {
        "leaving": leaving,
        "may_record_leaving": leaving is None and Enrolment.objects.filter(student=person).exists(),
    }


def _back(person: User) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[person.pk]))


def record_leaving_view(model_admin: ModelAdmin, request: HttpRequest, person_id: int) -> HttpResponse:
    person = model_admin.get_queryset(request).filter(pk=person_id).first()
    if person is None:
        raise Http404
    form = LeavingForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            leaving = leaving_actions.record_leaving(
                request.user,
                person.pk,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(
                request,
                _("The leaving was recorded: the page of %(name)s is a read-only archive from %(day)s.")
                % {"name": person, "day": date_format(leaving.left_on, "j F Y")},
            )
            return _back(person)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Record leaving: %(name)s") % {"name": person},
        "form": form,
        "person": person,
        "opts": model_admin.opts,
    }
    return TemplateResponse(request, "admin/accounts/record_leaving.html", context)


def undo_leaving_view(model_admin: ModelAdmin, request: HttpRequest, person_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    person = model_admin.get_queryset(request).filter(pk=person_id).first()
    leaving = standing_leaving(person) if person is not None else None
    if person is None or leaving is None:
        raise Http404
    try:
        leaving_actions.undo_leaving(request.user, leaving.pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The leaving was undone: the enrolments it ended are back."))
    return _back(person)
