"""Starting a private thread on a student's page ("Nytt samtal"): a form of its own page, so
that it works the same on a phone and without the live dialogue's script."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts import queries as account_queries
from accounts.errors import Refused, SensitiveText
from dialogue import doors
from dialogue.actions.threads import MAX_TITLE_LENGTH, start_private_thread
from dialogue.models import MAX_MESSAGE_LENGTH
from frontend.answers import add_to_form, forbidden_looks_missing
from frontend.requests import send_anyway, viewer
from frontend.views.dialogue import may_start_thread
from writing.guard import findings_payload

ADULTS = policy.ADULTS
ONE = "guardian-"  # the choice of one guardian and the school: "guardian-<id>"


class PrivateThreadForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE_LENGTH)
    audience = forms.ChoiceField(label=gettext_lazy("Who reads the conversation"), widget=forms.RadioSelect)
    body = forms.CharField(
        label=gettext_lazy("First message"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["audience"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def audience_choices(
    relation: policy.StudentRelation, audience: account_queries.Audience
) -> list[tuple[str, str]]:
    """A guardian chooses between the guardians and the school, and themselves and the school;
    a teacher between the guardians and the school, and each guardian with the school."""
    student = audience.student.first_name
    choices = [(ADULTS, _("The guardians and the school (not %(student)s)") % {"student": student})]
    if relation.is_guardian:
        choices.append((f"{ONE}{relation.viewer_id}", _("Only me and the school")))
    else:
        for guardian in audience.guardians:
            choices.append(
                (
                    f"{ONE}{guardian.pk}",
                    _("Only %(guardian)s and the school") % {"guardian": guardian.display_name},
                )
            )
    return choices


def _audience_of(choice: str) -> tuple[str, int | None]:
    if choice.startswith(ONE) and choice[len(ONE) :].isdigit():
        return policy.ONE_GUARDIAN, int(choice[len(ONE) :])
    return policy.ADULTS, None


@login_required
def new_thread_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The form (GET) and the start (POST). Someone who reads the page but may not start a
    private thread there (the student, an archive's readers) gets the outsiders' 404."""
    user = viewer(request)
    # The form shows who reads the page (the page's own "who can see this"): showing it is an
    # opening of the page; the start that follows is an action on it.
    access = doors.student_page(user, student_id, opening=request.method == "GET", only_if=may_start_thread)
    relation = access.relation
    audience = account_queries.student_page_audience(access.student, archived=False)
    choices = audience_choices(relation, audience)
    findings: list[dict[str, Any]] = []
    if request.method == "POST":
        form = PrivateThreadForm(request.POST, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            kind, guardian_id = _audience_of(data["audience"])
            try:
                with forbidden_looks_missing():
                    thread, _message = start_private_thread(
                        user,
                        access.page,
                        audience=kind,
                        guardian_id=guardian_id,
                        title=data["title"],
                        body=data["body"],
                        client_id=data["client_id"],
                        send_anyway=send_anyway(request),
                    )
            except Refused as error:
                add_to_form(form, error)
            except SensitiveText as error:
                findings = findings_payload(error.findings)
                form.add_error(None, error.message)
            else:
                return redirect(reverse("student", args=[student_id]) + f"?thread={thread.pk}")
    else:
        form = PrivateThreadForm(initial={"client_id": uuid.uuid4(), "audience": ADULTS}, choices=choices)
    return render(
        request,
        "frontend/new_thread.html",
        {"student": access.student, "form": form, "findings": findings},
        status=400 if form.errors else 200,
    )
