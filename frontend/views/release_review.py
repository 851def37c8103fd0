"""The review of a request for public records: every document in scope as it stood when the
request arrived, the masking of passages and of whole documents and attachments, the preview
of the copy, the decision, the files and the delivery.

Every view comes through the request's door (``records.release.doors.release_request``),
which answers a missing request and one the viewer may not handle alike (404) and logs the
openings: the review page, the preview and each file. A form that fails comes back on the
review page with what was typed and why (400); one that succeeds goes back to the place it
was sent from. Every one needs a recent strong login (``frontend.stepup``), asked for after
the door's check."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import NotFound, Refused
from frontend.answers import one_button
from frontend.release_texts import shown_documents
from frontend.requests import viewer
from frontend.stepup import strong_login_required
from records.models import ReleaseRequest
from records.release import actions, doors, queries
from records.release.documents import KINDS, documents_in_scope
from records.release.promptness import age_in_working_days, is_late
from writing.uploads import private_storage

# The files of a decided request, by the name in their URL: (model field, content type,
# what the downloaded file is called after the reference). Opening one is logged as the
# copy's or the decision's opening ("release_copy", "release_decision").
FILES: dict[str, tuple[str, str, str]] = {
    "copy.pdf": ("copy_pdf", "application/pdf", "copy"),
    "copy.html": ("copy_html", "text/html; charset=utf-8", "copy"),
    "decision.pdf": ("decision_pdf", "application/pdf", "decision"),
    "decision.html": ("decision_html", "text/html; charset=utf-8", "decision"),
}
OPENED_AS = {"copy": "release_copy", "decision": "release_decision"}


def _review_url(release: ReleaseRequest, anchor: str = "") -> str:
    return reverse("release", args=[release.pk]) + (f"#{anchor}" if anchor else "")


def _may_handle(request: HttpRequest, request_id: int, **_ignored: object) -> None:
    """The door's check alone (404 for those who may not handle the request), nothing logged:
    made before a step-up is asked for, so that only the handlers learn the request exists."""
    doors.release_request(viewer(request), request_id, opening=False)


def _back_to_review(request: HttpRequest, request_id: int, **_ignored: object) -> str:
    return reverse("release", args=[request_id])


# Reviewing and releasing a public record needs a recent strong login (``frontend.stepup``).
sensitive = strong_login_required(may_see=_may_handle, back=_back_to_review)


def _files(release: ReleaseRequest) -> list[dict[str, str]]:
    labels = {
        "copy.pdf": _("The copy (PDF)"),
        "copy.html": _("The copy (web page)"),
        "decision.pdf": _("The decision (PDF)"),
        "decision.html": _("The decision (web page)"),
    }
    return [
        {"name": name, "label": labels[name], "url": reverse("release-file", args=[release.pk, name])}
        for name, (attribute, _type, _stem) in FILES.items()
        if getattr(release, attribute)
    ]


def _render_review(
    request: HttpRequest,
    release: ReleaseRequest,
    *,
    posted_form: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The review page; after a failed form, with that form's error and what was typed."""
    today = timezone.localdate()
    is_open = release.status == ReleaseRequest.Status.OPEN
    documents = shown_documents(documents_in_scope(release), queries.maskings_of(release))
    return render(
        request,
        "frontend/release.html",
        {
            "release": release,
            "is_open": is_open,
            "age": age_in_working_days(release.received_at, today),
            "late": is_open and is_late(release.received_at, today),
            "kinds": [str(KINDS[kind]) for kind in release.kinds if kind in KINDS],
            "documents": documents,
            "masked_count": sum(doc.passage_count + (doc.whole is not None) for doc in documents)
            + sum(file.masking is not None for doc in documents for file in doc.files),
            "grounds": queries.grounds_to_choose() if is_open else [],
            "outcomes": [
                (ReleaseRequest.Outcome.FULL, _("Release in full")),
                (ReleaseRequest.Outcome.MASKED, _("Release with masking")),
                (ReleaseRequest.Outcome.REFUSED, _("Refuse")),
            ],
            "files": _files(release),
            "posted_form": posted_form,
            "posted": request.POST if posted_form else {},
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
@sensitive
def release_view(request: HttpRequest, request_id: int) -> HttpResponse:
    release, _relation = doors.release_request(viewer(request), request_id)
    return _render_review(request, release)


class MaskingForm(forms.Form):
    """A masking as posted: a passage (``field``, ``start``, ``end``, ``selected``, filled by
    the page's script from a selection) or, without them, the whole document or attachment.
    The action checks the rest against the stored text."""

    document = forms.CharField(max_length=40)
    document_id = forms.IntegerField(min_value=1)
    field = forms.CharField(max_length=40, required=False)
    start = forms.IntegerField(min_value=0, required=False)
    end = forms.IntegerField(min_value=0, required=False)
    selected = forms.CharField(required=False, strip=False)
    ground = forms.TypedChoiceField(coerce=int, choices=[])
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, grounds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ground = self.fields["ground"]
        assert isinstance(ground, forms.TypedChoiceField)
        ground.choices = [(item.pk, str(item)) for item in grounds]


def _anchor(document: str, document_id: int) -> str:
    """Where a masking is seen on the review page: its document, or its attachment."""
    return (
        f"file-{document}-{document_id}" if document == "attachment" else f"document-{document}-{document_id}"
    )


def _first_error(form: forms.Form) -> str:
    """The one message a failed masking or decision form shows."""
    if "ground" in form.errors:
        return _("Choose the ground for secrecy.")
    if any(name in form.errors for name in ("start", "end", "selected", "field")) or (
        form.data.get("form") == "passage" and not form.data.get("selected")
    ):
        return _("Select the passage to mask in the document's text first.")
    if "reason" in form.errors or "refusal_reason" in form.errors:
        return _("The reason is too long.")
    return _("The form could not be read. Reload the page and try again.")


@require_POST
@login_required
@sensitive
def release_mask_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """Mask a selected passage of a text, or a whole document or attachment."""
    user = viewer(request)
    release, _relation = doors.release_request(user, request_id, opening=False)
    which = "passage" if request.POST.get("form") == "passage" else "whole"
    posted_form = f"{which}-{request.POST.get('document', '')}-{request.POST.get('document_id', '')}"
    form = MaskingForm(request.POST, grounds=queries.grounds_to_choose())
    if not form.is_valid() or (which == "passage" and not form.cleaned_data["selected"]):
        return _render_review(request, release, posted_form=posted_form, error=_first_error(form), status=400)
    data = form.cleaned_data
    passage = which == "passage"
    try:
        actions.add_masking(
            user,
            release.pk,
            document=data["document"],
            document_id=data["document_id"],
            field=data["field"] if passage else "",
            start=data["start"] if passage else None,
            end=data["end"] if passage else None,
            selected=data["selected"] if passage else "",
            ground_id=data["ground"],
            reason=data["reason"],
        )
    except Refused as error:
        return _render_review(request, release, posted_form=posted_form, error=error.message, status=400)
    messages.success(request, _("Masked. The preview shows the copy as it will be released."))
    return HttpResponseRedirect(_review_url(release, _anchor(data["document"], data["document_id"])))


@require_POST
@login_required
@sensitive
def release_unmask_view(request: HttpRequest, request_id: int, masking_id: int) -> HttpResponse:
    user = viewer(request)
    release, _relation = doors.release_request(user, request_id, opening=False)
    back = _review_url(release)
    try:
        actions.remove_masking(user, release.pk, masking_id)
    except NotFound:
        # The door let the viewer in, so it is the masking that is gone (removed already).
        messages.info(request, _("That masking was already removed."))
        return HttpResponseRedirect(back)
    except Refused as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    messages.success(request, _("The masking is removed."))
    return HttpResponseRedirect(back)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=ReleaseRequest.Outcome.choices)
    refusal_ground = forms.TypedChoiceField(coerce=int, choices=[], required=False, empty_value=None)
    refusal_reason = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, grounds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ground = self.fields["refusal_ground"]
        assert isinstance(ground, forms.TypedChoiceField)
        ground.choices = [("", ""), *((item.pk, str(item)) for item in grounds)]


@require_POST
@login_required
@sensitive
def release_decide_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """Decide: release in full, release with the maskings, or refuse (with a ground and a
    reason). The copy and the decision document are made now."""
    user = viewer(request)
    release, _relation = doors.release_request(user, request_id, opening=False)
    form = DecisionForm(request.POST, grounds=queries.grounds_to_choose())
    if not form.is_valid():
        error = _("Choose a decision.") if "outcome" in form.errors else _first_error(form)
        return _render_review(request, release, posted_form="decision", error=error, status=400)
    data = form.cleaned_data
    try:
        decided = actions.decide_release(
            user,
            release.pk,
            outcome=data["outcome"],
            refusal_ground_id=data["refusal_ground"],
            refusal_reason=data["refusal_reason"],
        )
    except Refused as error:
        return _render_review(request, release, posted_form="decision", error=error.message, status=400)
    messages.success(
        request,
        _("Decided: %(outcome)s. Download the files below and send them.")
        % {"outcome": decided.get_outcome_display()},
    )
    return HttpResponseRedirect(_review_url(decided, "decision"))


@require_POST
@login_required
@sensitive
def release_delivered_view(request: HttpRequest, request_id: int) -> HttpResponse:
    user = viewer(request)
    release, _relation = doors.release_request(user, request_id, opening=False)
    return one_button(
        request,
        lambda: actions.record_delivery(user, release.pk),
        done=_("Recorded as sent."),
        back=_review_url(release, "decision"),
    )


# The preview holds nothing but text, markup, its own style sheet and images as data: URLs.
# Nothing in it may run or load: not even a script of this site's own (the site-wide policy
# allows those), hence a policy of its own, stricter in everything, allowing only its style
# elements by their hashes.
STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def preview_policy(html: str) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in STYLE_ELEMENT.findall(html)
    )
    styles = hashes or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@require_GET
@login_required
@sensitive
def release_preview_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """The copy exactly as it would be released now, maskings applied."""
    user = viewer(request)
    release, _relation = doors.release_request(user, request_id, what="release_copy")
    html = actions.preview_html(user, release.pk)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = preview_policy(html)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_name(release: ReleaseRequest, stem: str, extension: str) -> str:
    """ "BJB-2026-0014-kopia.pdf": the reference and what the file is, never a person's name."""
    words = {"copy": _("copy"), "decision": _("decision")}
    reference = re.sub(r"[^\w-]+", "", release.reference.replace(" ", "-"))
    return f"{reference}-{words[stem]}.{extension}"


@require_GET
@login_required
@sensitive
def release_file_view(request: HttpRequest, request_id: int, name: str) -> FileResponse:
    if name not in FILES:
        raise NotFound
    attribute, content_type, stem = FILES[name]
    release, _relation = doors.release_request(viewer(request), request_id, what=OPENED_AS[stem])
    stored_name = getattr(release, attribute)
    if not stored_name:
        raise NotFound
    try:
        stored = private_storage().open(stored_name, "rb")
    except FileNotFoundError:
        raise NotFound from None
    response = FileResponse(
        stored,
        content_type=content_type,
        as_attachment=True,
        filename=download_name(release, stem, name.rsplit(".", 1)[1]),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
