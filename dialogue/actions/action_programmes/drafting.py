"""Drafting a programme, saving its draft again, and the views of the student and guardians."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import require
from accounts.models import Subject, User
from dialogue import doors
from dialogue.actions.action_programmes.common import (
    PROGRAMME_CARD,
    FollowUpPlan,
    announce_programme,
    flag_programme_text,
    locked_programme,
    programme_content,
    programme_text,
    programme_texts,
    programme_to_change,
    still_open,
)
from dialogue.actions.cards import document_thread, refresh_card, show_card
from dialogue.models import (
    ActionProgramme,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
    Thread,
)
from writing.texts import guard_texts


def draft_programme(
    actor: User,
    student: User | int,
    *,
    needs: str,
    measures: str = "",
    responsible: str = "",
    follow_ups: FollowUpPlan = (),
    subject: Subject | None = None,
    send_anyway: bool = False,
) -> ActionProgramme:
    """Start a programme: version 1 as a draft, its own thread on the page with the card.
    A teacher of the student or the principal drafts."""
    access = doors.student_page(actor, student, opening=False)
    require(access.relation.may_draft_programme)
    student, page = access.student, access.page
    content = programme_content(needs, measures, responsible, follow_ups)
    texts = programme_texts(content)
    findings = guard_texts(texts, send_anyway=send_anyway)
    today = timezone.localdate()
    with transaction.atomic():
        thread = document_thread(page, Thread.Kind.ACTION_PROGRAMME, moment=today, subject=subject)
        programme = ActionProgramme.objects.create(
            student=student, page=page, subject=subject, thread=thread, created_by=actor
        )
        version = ProgrammeVersion.objects.create(programme=programme, author=actor, **content)
        ProgrammeRevision.objects.create(version=version, saved_by=actor, **content)
        show_card(
            actor,
            page,
            programme,
            PROGRAMME_CARD,
            summary=_("Action programme drafted by %(name)s") % {"name": actor.display_name},
        )
        flag_programme_text(actor, programme, texts, findings)
        announce_programme(
            "drafted",
            actor,
            programme,
            version=1,
        )
    return programme


def save_draft(
    actor: User,
    programme_id: int,
    *,
    needs: str,
    measures: str = "",
    responsible: str = "",
    follow_ups: FollowUpPlan = (),
    send_anyway: bool = False,
) -> ProgrammeVersion:
    """Save the programme's draft again (a new revision; earlier ones stay), or start a new
    version when the last one is decided: an adopted programme is never edited in place."""
    programme = programme_to_change(actor, programme_id, lambda relation: relation.may_draft_programme)
    content = programme_content(needs, measures, responsible, follow_ups)
    texts = programme_texts(content)
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        programme = locked_programme(programme.pk)
        still_open(programme)
        draft = programme.versions.filter(status=ProgrammeVersion.Status.DRAFT).first()
        started = draft is None
        if draft is None:
            last = programme.versions.order_by("-number").first()
            draft = ProgrammeVersion.objects.create(
                programme=programme, author=actor, number=(last.number + 1 if last else 1), **content
            )
        else:
            for name, value in content.items():
                setattr(draft, name, value)
            draft.author = actor
            draft.save()
        ProgrammeRevision.objects.create(version=draft, saved_by=actor, **content)
        refresh_card(programme, PROGRAMME_CARD)
        flag_programme_text(actor, programme, texts, findings)
        if started:
            announce_programme(
                "drafted",
                actor,
                programme,
                version=draft.number,
            )
    return draft


# --- Views of the student and guardians -------------------------------------------------------


def give_view(actor: User, programme_id: int, *, body: str, send_anyway: bool = False) -> ProgrammeView:
    """The student, guardians (and the school) give their view of the programme. Views are
    kept with author and time and never edited away; they do not decide anything."""
    programme = programme_to_change(actor, programme_id, lambda relation: relation.may_comment_on_programme)
    body = programme_text(body, _("Your view"), required=True)
    findings = guard_texts({"body": body}, send_anyway=send_anyway)
    with transaction.atomic():
        programme = locked_programme(programme.pk)
        still_open(programme)
        version = programme.versions.order_by("-number").first()
        assert version is not None
        view = ProgrammeView.objects.create(programme=programme, version=version, author=actor, body=body)
        refresh_card(programme, PROGRAMME_CARD)
        flag_programme_text(actor, programme, {"body": body}, findings)
    return view
