"""Written assessments: drafts that autosave, publishing by the subject's teacher, and
corrections as new versions. Publishing puts a card in the subject's thread and announces
``assessment.published`` (the notifications issue tells the student and guardians).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.errors import NotFound, Refused, require
from accounts.models import CurriculumArea, SchoolClass, Subject, User
from dialogue import doors, queries
from dialogue.actions.cards import CardKind, in_subject_thread, refresh_card, show_card
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_ASSESSMENT_TEXT,
    MAX_PHRASE_LENGTH,
    Assessment,
    AssessmentForm,
    Phrase,
)
from dialogue.payloads import assessment_card
from writing import guard
from writing.texts import checked_text, guard_texts


def _card(assessment: Assessment) -> dict[str, Any]:
    """The card of a published assessment; one replaced by a correction says so."""
    return assessment_card(assessment, corrected_by=getattr(assessment, "corrected_by", None))


ASSESSMENT_CARD: CardKind[Assessment] = CardKind(draw=_card, thread=in_subject_thread)


def school_form(school_id: int) -> AssessmentForm:
    """The school's form, or the default (unsaved) when the principal has not chosen."""
    form = AssessmentForm.objects.filter(school_id=school_id).first()
    return form or AssessmentForm(school_id=school_id)


def term_of(school_class: SchoolClass, on: datetime.date) -> str:
    """The term ("HT"/"VT") of the class's school on a date (``queries.term_on``)."""
    return queries.term_on(school_class.school_id, on).kind


def set_assessment_form(actor: User, school_id: int, *, use_levels: bool, period: str) -> AssessmentForm:
    """The principal decides the form of the school's written assessments."""
    school = policy.access_led_school(actor, school_id)
    if period not in AssessmentForm.Period.values:
        raise Refused("bad_period", _("Choose how often assessments are given."))
    form, _created = AssessmentForm.objects.update_or_create(
        school=school, defaults={"use_levels": use_levels, "period": period, "updated_by": actor}
    )
    return form


def _check_levels(subject: Subject, levels: dict[str, Any]) -> dict[str, str]:
    areas = {str(pk) for pk in CurriculumArea.objects.filter(subject=subject).values_list("pk", flat=True)}
    cleaned: dict[str, str] = {}
    for area, level in levels.items():
        if str(area) not in areas:
            raise Refused("unknown_area", _("That area does not belong to the subject."))
        if level in ("", None):
            continue
        if level not in Assessment.Level.values:
            raise Refused("bad_level", _("Choose one of the three knowledge levels."))
        cleaned[str(area)] = level
    return cleaned


def period_of(school_class: SchoolClass, form: AssessmentForm) -> tuple[int, str]:
    term = term_of(school_class, timezone.localdate()) if form.period == AssessmentForm.Period.TERM else ""
    return school_class.school_year_id, term


def latest_published(student: User, subject: Subject, school_year_id: int, term: str) -> Assessment | None:
    return (
        Assessment.objects.filter(
            student=student,
            subject=subject,
            school_year_id=school_year_id,
            term=term,
            status=Assessment.Status.PUBLISHED,
        )
        .order_by("-version")
        .first()
    )


def _write_draft(
    student: User, subject: Subject, school_year_id: int, term: str, use_levels: bool, values: dict[str, Any]
) -> Assessment:
    with transaction.atomic():
        draft = (
            Assessment.objects.select_for_update()
            .filter(
                student=student,
                subject=subject,
                school_year_id=school_year_id,
                term=term,
                status=Assessment.Status.DRAFT,
            )
            .first()
        )
        if draft is None:
            previous = latest_published(student, subject, school_year_id, term)
            return Assessment.objects.create(
                student=student,
                subject=subject,
                school_year_id=school_year_id,
                term=term,
                use_levels=use_levels,
                version=previous.version + 1 if previous else 1,
                corrects=previous,
                **values,
            )
        for name, value in values.items():
            setattr(draft, name, value)
        draft.use_levels = use_levels
        draft.save()
        return draft


def save_draft(
    actor: User,
    school_class: SchoolClass,
    student: User,
    subject: Subject,
    *,
    levels: dict[str, Any],
    can_text: str,
    develop_text: str,
) -> tuple[Assessment, dict[str, list[guard.Finding]]]:
    """Save (autosave) the draft of this period's assessment; returns it and the guard's
    findings per field, which the teacher sees at once but which block only publishing.
    Editing after publishing starts a correction: a new draft version of the same period.

    Precondition: ``student`` is enrolled in ``school_class`` (checked by the caller's query).
    """
    access = doors.student_page(actor, student, opening=False)
    require(access.relation.may_publish_assessment(subject.pk))
    form = school_form(school_class.school_id)
    levels = _check_levels(subject, levels) if form.use_levels else {}
    can_text = checked_text(can_text, _("What the student can"), MAX_ASSESSMENT_TEXT)
    develop_text = checked_text(develop_text, _("How the student develops further"), MAX_ASSESSMENT_TEXT)
    school_year_id, term = period_of(school_class, form)
    values = {"levels": levels, "can_text": can_text, "develop_text": develop_text, "author": actor}
    try:
        draft = _write_draft(student, subject, school_year_id, term, form.use_levels, values)
    except IntegrityError:  # two tabs made the first draft at the same moment: now it exists
        draft = _write_draft(student, subject, school_year_id, term, form.use_levels, values)
    findings = {
        name: found
        for name, found in (
            ("can_text", guard.check_text(can_text)),
            ("develop_text", guard.check_text(develop_text)),
        )
        if found
    }
    return draft, findings


def _page_access(actor: User, student_id: int) -> doors.PageAccess | None:
    try:
        return doors.student_page(actor, student_id, opening=False)
    except NotFound:
        return None


def is_empty(assessment: Assessment) -> bool:
    return not (assessment.levels or assessment.can_text.strip() or assessment.develop_text.strip())


def publish_assessment(actor: User, assessment_id: int, *, send_anyway: bool = False) -> Assessment:
    """Publish a draft: it becomes the student's assessment for the period (never changed
    again), its card appears in the subject's thread for everyone on the page, and a
    correction marks the version it replaces. Only a teacher of the subject publishes."""
    draft = (
        Assessment.objects.select_related(
            "student", "subject", "school_year", "corrects__message__page", "corrects__published_by"
        )
        .filter(pk=assessment_id)
        .first()
    )
    access = _page_access(actor, draft.student_id) if draft is not None else None
    if draft is None or access is None or not access.relation.may_publish_assessment(draft.subject_id):
        raise Refused("unknown_assessment", _("That assessment does not exist or is not yours to publish."))
    if draft.status != Assessment.Status.DRAFT:
        raise Refused("published", _("This assessment is already published. Write a correction instead."))
    if is_empty(draft):
        raise Refused("empty", _("The assessment is empty. Fill in at least one part before publishing."))
    texts = {"can_text": draft.can_text, "develop_text": draft.develop_text}
    findings = guard_texts(texts, send_anyway=send_anyway)
    page = access.page
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=draft.pk)
        if locked.status != Assessment.Status.DRAFT:
            raise Refused("published", _("This assessment is already published. Write a correction instead."))
        draft.status = Assessment.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.published_by = actor
        draft.author = actor
        show_card(
            actor,
            page,
            draft,
            ASSESSMENT_CARD,
            summary=_("Written assessment in %(subject)s published") % {"subject": draft.subject.name_sv},
            save=False,
        )
        draft.save(update_fields=["status", "published_at", "published_by", "author", "message"])
        previous = draft.corrects
        if previous is not None:
            previous.corrected_by = draft  # type: ignore[attr-defined]  # what its card says now
            refresh_card(previous, ASSESSMENT_CARD)
        flag_student_text(actor, page.student_id, FlagSource.ASSESSMENT, draft.pk, texts, findings)
        events.announce(
            "assessment.published",
            actor_id=actor.pk,
            student_id=draft.student_id,
            page_id=page.pk,
            assessment_id=draft.pk,
            subject_id=draft.subject_id,
            version=draft.version,
        )
        if draft.use_levels and Assessment.Level.NOT_YET in draft.levels.values():
            # A signal, not a report: the mentor and the teacher are offered the report
            # to the principal (dialogue.notices); nothing is reported by itself.
            events.announce(
                "assessment.not_yet",
                actor_id=actor.pk,
                student_id=draft.student_id,
                page_id=page.pk,
                assessment_id=draft.pk,
                subject_id=draft.subject_id,
            )
    return draft


def add_phrase(actor: User, *, text: str, subject: Subject | None) -> Phrase:
    text = " ".join(text.split())
    if not text:
        raise Refused("empty", _("Write the phrase first."))
    if len(text) > MAX_PHRASE_LENGTH:
        raise Refused(
            "too_long",
            _("A phrase can be at most %(limit)d characters long.") % {"limit": MAX_PHRASE_LENGTH},
            limit=MAX_PHRASE_LENGTH,
        )
    if not actor.is_active:
        raise Refused("inactive", _("Your account is not active."))
    return Phrase.objects.create(owner=actor, subject=subject, text=text)


def remove_phrase(actor: User, phrase_id: int) -> None:
    """Only the owner's own phrases; someone else's id is 'not found' like a missing one."""
    removed, _detail = Phrase.objects.filter(pk=phrase_id, owner=actor).delete()
    if not removed:
        raise NotFound("unknown_phrase", _("That phrase does not exist."))
