"""Action programmes as public records: the decided versions, the views given, the
follow-ups recorded and the closing, as they stood when a request arrived (see
``records.release.history``). A draft version and a saved draft are not public records."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dialogue.models import ActionProgramme, FollowUp, ProgrammeVersion, ProgrammeView
from records.release.documents import Document, Scope, Text, day
from records.release.history import nonempty, person_name, within

DECIDED = (
    ProgrammeVersion.Status.ADOPTED,
    ProgrammeVersion.Status.DECLINED,
    ProgrammeVersion.Status.SUPERSEDED,
)


def _programme_title(programme: ActionProgramme) -> str:
    if programme.subject is None:
        return _("Action programme")
    return _("Action programme in %(subject)s") % {"subject": programme.subject.name}


def _plan_text(plan: Any) -> str:
    """The follow-ups a version planned, one a line ("2026-12-01: what is checked")."""
    lines = []
    for item in plan if isinstance(plan, list) else []:
        if isinstance(item, dict):
            lines.append(f"{item.get('on', '')}: {item.get('what', '')}")
    return "\n".join(lines)


def programmes(scope: Scope) -> list[Document]:
    """The decided versions (adopted, declined, or adopted and later replaced; never a draft,
    never a saved draft), the views given, the follow-ups recorded and the closing."""
    received = scope.received_at
    versions = list(
        ProgrammeVersion.objects.filter(
            programme__student_id=scope.student_id, status__in=DECIDED, decided_at__lte=received
        )
        .select_related("programme__subject", "author", "decided_by")
        .order_by("programme_id", "number")
    )
    # A version replaced by one decided after the request arrived was still the adopted one.
    replaced_then = {
        earlier.pk
        for earlier in versions
        for later in versions
        if later.programme_id == earlier.programme_id
        and later.number > earlier.number
        and later.status != ProgrammeVersion.Status.DECLINED
    }
    statuses = dict(ProgrammeVersion.Status.choices)
    documents = []
    for version in versions:
        assert version.decided_at is not None
        status = version.status
        if status == ProgrammeVersion.Status.SUPERSEDED and version.pk not in replaced_then:
            status = ProgrammeVersion.Status.ADOPTED
        facts = [
            (_("Version"), str(version.number)),
            (_("Decision"), str(statuses[status])),
            (_("Decided on"), day(version.decided_on or version.decided_at)),
            (_("Decided by"), person_name(version.decided_by)),
            (_("Drafted by"), person_name(version.author)),
        ]
        documents.append(
            Document(
                kind="programmes",
                key=("programme_version", version.pk),
                title=_("%(programme)s, version %(number)d")
                % {"programme": _programme_title(version.programme), "number": version.number},
                at=version.decided_at,
                author=person_name(version.decided_by),
                facts=facts,
                texts=nonempty(
                    Text("needs", _("The student's needs"), version.needs),
                    Text("measures", _("Measures and how the school carries them out"), version.measures),
                    Text("responsible", _("Who is responsible"), version.responsible),
                    Text(
                        "follow_up_plan", _("Planned follow-ups"), _plan_text(version.follow_up_plan), False
                    ),
                    Text("decision_note", _("The decision's reasons"), version.decision_note),
                ),
                generic_title=_("Action programme version %(date)s") % {"date": day(version.decided_at)},
            )
        )
    documents.extend(_views(scope))
    documents.extend(_follow_ups(scope))
    documents.extend(_closings(scope))
    return within(scope, documents)


def _views(scope: Scope) -> list[Document]:
    rows = ProgrammeView.objects.filter(
        programme__student_id=scope.student_id, created_at__lte=scope.received_at
    ).select_related("author", "version", "programme__subject")
    return [
        Document(
            kind="programmes",
            key=("programme_view", row.pk),
            title=_("View on action programme version %(number)d") % {"number": row.version.number},
            at=row.created_at,
            author=person_name(row.author),
            texts=nonempty(Text("body", _("View"), row.body)),
            generic_title=_("View on an action programme %(date)s") % {"date": day(row.created_at)},
        )
        for row in rows
    ]


def _follow_ups(scope: Scope) -> list[Document]:
    rows = FollowUp.objects.filter(
        programme__student_id=scope.student_id, recorded_at__lte=scope.received_at
    ).select_related("recorded_by", "version", "programme__subject")
    works = dict(FollowUp.Works.choices)
    documents = []
    for row in rows:
        assert row.recorded_at is not None
        facts = [(_("Planned for"), row.due_on.isoformat())]
        if row.recorded_on is not None:
            facts.append((_("Followed up on"), row.recorded_on.isoformat()))
        if row.works:
            facts.append((_("Do the measures work?"), str(works.get(row.works, row.works))))
        documents.append(
            Document(
                kind="programmes",
                key=("follow_up", row.pk),
                title=_("Follow-up of an action programme, %(date)s") % {"date": row.due_on.isoformat()},
                at=row.recorded_at,
                author=person_name(row.recorded_by),
                facts=facts,
                texts=nonempty(
                    Text("what_to_check", _("What is checked"), row.what_to_check, False),
                    Text("what_was_done", _("What was done"), row.what_was_done),
                    Text("outcome", _("Outcome"), row.outcome),
                ),
                generic_title=_("Follow-up %(date)s") % {"date": day(row.recorded_at)},
            )
        )
    return documents


def _closings(scope: Scope) -> list[Document]:
    rows = ActionProgramme.objects.filter(
        student_id=scope.student_id, closed_at__lte=scope.received_at
    ).select_related("subject", "closed_by")
    documents = []
    for row in rows:
        assert row.closed_at is not None
        documents.append(
            Document(
                kind="programmes",
                key=("programme_closing", row.pk),
                title=_("%(programme)s closed") % {"programme": _programme_title(row)},
                at=row.closed_at,
                author=person_name(row.closed_by),
                facts=[(_("Closed on"), day(row.closed_on or row.closed_at))],
                texts=nonempty(Text("close_reason", _("Why it was closed"), row.close_reason)),
                generic_title=_("Closing of an action programme %(date)s") % {"date": day(row.closed_at)},
            )
        )
    return documents
