"""Written assessments in the browser: the teacher's class x subject flow (drafts autosave,
publish one or all), the phrase bank, every version of a published assessment, and the
principal's choice of the school's assessment form."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import NotFound, Refused, SensitiveText
from accounts.models import SchoolClass, Subject, User
from dialogue import doors, queries
from dialogue.actions import assessments as actions
from dialogue.models import MAX_ASSESSMENT_TEXT, Assessment, AssessmentForm, Phrase
from dialogue.queries.receipts import guardians_not_seen
from frontend.answers import json_error, one_button, refused_back
from frontend.requests import safe_next, send_anyway, viewer, wants_json
from frontend.strings import assessment_flow_strings
from writing import guard
from writing.guard import findings_payload


def _flow_url(school_class: SchoolClass, subject: Subject, student_id: int | None = None) -> str:
    url = reverse("assessment-flow", args=[school_class.pk, subject.pk])
    return f"{url}#student-{student_id}" if student_id else url


def _student_in_class(school_class: SchoolClass, student_id: int) -> User:
    """A student enrolled in the class today; 404 otherwise (the flow only lists those)."""
    rows = queries.assessment_flow_students(school_class).filter(pk=student_id)
    student = rows.first()
    if student is None:
        raise NotFound
    return student


@require_GET
@login_required
def assessment_flow_view(request: HttpRequest, class_id: int, subject_id: int) -> HttpResponse:
    """Every student of the class in one page, one subject: write all drafts in one flow."""
    user = viewer(request)
    school_class, subject = policy.access_assessment_flow(user, class_id, subject_id)
    form = actions.school_form(school_class.school_id)
    school_year_id, term = actions.period_of(school_class, form)
    rows = queries.assessment_flow(school_class, subject, school_year_id=school_year_id, term=term)
    areas = queries.subject_areas(subject) if form.use_levels else []
    # Which guardians have not yet read each published assessment's card (one query).
    unseen = guardians_not_seen({row.student.pk: row.published for row in rows if row.published})
    phrases = list(Phrase.objects.filter(owner=user, subject__in=[subject.pk, None]).order_by("created_at"))
    warnings = {
        row.student.pk: {
            name: findings_payload(found)
            for name, found in (
                ("can_text", guard.check_text(row.draft.can_text)),
                ("develop_text", guard.check_text(row.draft.develop_text)),
            )
            if found
        }
        for row in rows
        if row.draft is not None
    }
    written = sum(1 for row in rows if row.draft or row.published)
    published = sum(1 for row in rows if row.published)
    states = [row.state for row in rows]
    return render(
        request,
        "frontend/assessment_flow.html",
        {
            "school_class": school_class,
            "subject": subject,
            "form": form,
            "term": term,
            "rows": rows,
            "unseen": unseen,
            "warnings": warnings,
            "areas": areas,
            "levels": Assessment.Level.choices,
            "phrases": phrases,
            "written": written,
            "published": published,
            "state_counts": [
                (state, label, states.count(state))
                for state, label in (
                    ("published", _("Published")),
                    ("draft", _("Draft")),
                    ("missing", _("Not started")),
                )
            ],
            "max_length": MAX_ASSESSMENT_TEXT,
            "flow_strings": assessment_flow_strings(),
        },
    )


def _draft_fields(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise Refused("malformed", _("The request was not understood.")) from None
        if not isinstance(data, dict) or not isinstance(data.get("levels", {}), dict):
            raise Refused("malformed", _("The request was not understood."))
        return {
            "levels": data.get("levels", {}),
            "can_text": str(data.get("can_text", "")),
            "develop_text": str(data.get("develop_text", "")),
        }
    levels = {key[len("level-") :]: value for key, value in request.POST.items() if key.startswith("level-")}
    return {
        "levels": levels,
        "can_text": request.POST.get("can_text", ""),
        "develop_text": request.POST.get("develop_text", ""),
    }


def _findings_by_field(findings: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {name: findings_payload(found) for name, found in findings.items()}


@require_POST
@login_required
def assessment_draft_view(
    request: HttpRequest, class_id: int, subject_id: int, student_id: int
) -> HttpResponse:
    """Save a draft (the page autosaves as the teacher types; without scripts, the form's
    save button posts here). Findings of the guard come back at once; they block publishing
    only."""
    user = viewer(request)
    school_class, subject = policy.access_assessment_flow(user, class_id, subject_id)
    student = _student_in_class(school_class, student_id)
    try:
        draft, findings = actions.save_draft(user, school_class, student, subject, **_draft_fields(request))
    except Refused as refusal:
        return refused_back(request, refusal, _flow_url(school_class, subject, student.pk))
    if wants_json(request):
        return JsonResponse(
            {
                "id": draft.pk,
                "version": draft.version,
                "saved_at": draft.updated_at.isoformat(),
                "saved_label": _("Saved %(time)s")
                % {"time": time_format(timezone.localtime(draft.updated_at))},
                "findings": _findings_by_field(findings),
            }
        )
    messages.success(request, _("The draft for %(name)s is saved.") % {"name": student.display_name})
    return redirect(_flow_url(school_class, subject, student.pk))


@require_POST
@login_required
def assessment_publish_view(
    request: HttpRequest, class_id: int, subject_id: int, student_id: int
) -> HttpResponse:
    """Publish the student's draft. With findings of the guard it asks first; "publish
    anyway" publishes and flags it for the principal."""
    user = viewer(request)
    school_class, subject = policy.access_assessment_flow(user, class_id, subject_id)
    student = _student_in_class(school_class, student_id)
    form = actions.school_form(school_class.school_id)
    school_year_id, term = actions.period_of(school_class, form)
    draft = Assessment.objects.filter(
        student=student,
        subject=subject,
        school_year_id=school_year_id,
        term=term,
        status=Assessment.Status.DRAFT,
    ).first()
    try:
        if "can_text" in request.POST or "develop_text" in request.POST:
            # The form posted without scripts: what was typed is saved before publishing.
            draft, _findings = actions.save_draft(
                user, school_class, student, subject, **_draft_fields(request)
            )
        if draft is None:
            raise Refused("no_draft", _("There is no draft to publish. Write the assessment first."))
        published = actions.publish_assessment(user, draft.pk, send_anyway=send_anyway(request))
    except SensitiveText as warning:
        if wants_json(request):
            return json_error(warning)
        messages.error(request, _("Check the highlighted words before publishing, or publish anyway."))
        return redirect(_flow_url(school_class, subject, student.pk))
    except Refused as refusal:
        return refused_back(request, refusal, _flow_url(school_class, subject, student.pk))
    if wants_json(request):
        return JsonResponse(
            {
                "published": {
                    "id": published.pk,
                    "version": published.version,
                    "url": reverse("assessment-history", args=[student.pk, published.pk]),
                }
            }
        )
    messages.success(request, _("The assessment for %(name)s is published.") % {"name": student.display_name})
    return redirect(_flow_url(school_class, subject, student.pk))


@require_POST
@login_required
def assessment_publish_all_view(request: HttpRequest, class_id: int, subject_id: int) -> HttpResponse:
    """Publish every non-empty draft of the class whose text the guard has nothing to say
    about; the others stay drafts and are named, to be looked at one by one."""
    user = viewer(request)
    school_class, subject = policy.access_assessment_flow(user, class_id, subject_id)
    form = actions.school_form(school_class.school_id)
    school_year_id, term = actions.period_of(school_class, form)
    rows = queries.assessment_flow(school_class, subject, school_year_id=school_year_id, term=term)
    published, held = 0, []
    for row in rows:
        if row.draft is None or actions.is_empty(row.draft):
            continue
        try:
            actions.publish_assessment(user, row.draft.pk)
            published += 1
        except (SensitiveText, Refused):
            held.append(row.student.display_name)
    if published:
        messages.success(
            request,
            ngettext("%(count)d assessment published.", "%(count)d assessments published.", published)
            % {"count": published},
        )
    if held:
        messages.error(
            request,
            _("Not published, check these one by one: %(names)s.") % {"names": ", ".join(held)},
        )
    if not published and not held:
        messages.info(request, _("There were no drafts to publish."))
    return redirect(_flow_url(school_class, subject))


@require_POST
@login_required
def phrase_add_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    subject = Subject.objects.filter(pk=request.POST.get("subject") or 0).first()
    try:
        phrase = actions.add_phrase(user, text=request.POST.get("text", ""), subject=subject)
    except Refused as refusal:
        return refused_back(request, refusal, safe_next(request, reverse("start")))
    if wants_json(request):
        return JsonResponse(
            {
                "phrase": {
                    "id": phrase.pk,
                    "text": phrase.text,
                    "delete": reverse("phrase-delete", args=[phrase.pk]),
                }
            },
            status=201,
        )
    return redirect(safe_next(request, reverse("start")))


@require_POST
@login_required
def phrase_delete_view(request: HttpRequest, phrase_id: int) -> HttpResponse:
    actions.remove_phrase(viewer(request), phrase_id)
    if wants_json(request):
        return JsonResponse({"deleted": phrase_id})
    return redirect(safe_next(request, reverse("start")))


@require_GET
@login_required
def assessment_history_view(request: HttpRequest, student_id: int, assessment_id: int) -> HttpResponse:
    """Every published version of one assessment (subject and period), newest first."""
    access, versions = doors.document(
        viewer(request),
        student_id,
        "assessment",
        lambda student: queries.assessment_versions(student, assessment_id) or None,
    )
    student = access.student
    areas = queries.subject_areas(versions[0].subject)
    level_names = dict(Assessment.Level.choices)
    for version in versions:
        version.level_rows = [  # type: ignore[attr-defined]
            (area.name, level_names[version.levels[str(area.pk)]])
            for area in areas
            if version.levels.get(str(area.pk)) in level_names
        ]
    return render(
        request,
        "frontend/assessment_history.html",
        {"student": student, "versions": versions, "subject": versions[0].subject},
    )


@login_required
def assessment_form_view(request: HttpRequest, school_id: int) -> HttpResponse:
    """The principal decides what the school's written assessments contain."""
    user = viewer(request)
    school = policy.access_led_school(user, school_id)
    form = actions.school_form(school.pk)
    if request.method == "POST":
        url = reverse("assessment-form", args=[school.pk])
        return one_button(
            request,
            lambda: actions.set_assessment_form(
                user,
                school.pk,
                use_levels=request.POST.get("use_levels") == "1",
                period=request.POST.get("period", ""),
            ),
            done=_("The form of written assessments is saved."),
            back=url,
        )
    return render(
        request,
        "frontend/assessment_form.html",
        {"school": school, "form": form, "periods": AssessmentForm.Period.choices},
    )
