"""The documents of a student's page, each as it stood when a request arrived: written
assessments, goals (with reflections and self-assessments), development talks and action
programmes (``records.release.documents`` describes what is a public record and what not).

Each function reads its kind with a fixed number of queries (``select_related`` for the names,
one query for the earlier versions), whatever the number of rows, and decides "as it stood
then" in Python from the rows' own times:

- a row made after the request arrived is not there;
- a text changed after it is read from the revision that was in force then (``written_at``
  or ``recorded_at`` at or before the arrival, ``replaced_at`` after it);
- versions replaced before it are documents of their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import CurriculumArea, Subject, User
from dialogue.models import (
    ActionProgramme,
    Assessment,
    DevelopmentTalk,
    FollowUp,
    Goal,
    GoalReflection,
    GoalRevision,
    ProgrammeVersion,
    ProgrammeView,
    SelfAssessment,
    TalkPreparation,
    TalkRecordRevision,
)
from records.release.documents import Document, Scope, Text, day, moment


def _name(person: User | None) -> str:
    return person.display_name if person is not None else ""


def _texts(*texts: Text) -> list[Text]:
    """Only texts with something in them: an empty text has nothing to read or to mask."""
    return [text for text in texts if text.value]


def _in(scope: Scope, documents: Iterable[Document]) -> list[Document]:
    return [document for document in documents if scope.in_period(document.at)]


# --- written assessments ---------------------------------------------------------------------


def assessments(scope: Scope) -> list[Document]:
    """Every version published by the time the request arrived (a correction is a new
    version and both are records); never a draft, and not a version published after."""
    rows = list(
        Assessment.objects.filter(
            student_id=scope.student_id,
            status=Assessment.Status.PUBLISHED,
            published_at__lte=scope.received_at,
        )
        .select_related("subject", "school_year", "author", "published_by", "corrects")
        .order_by("published_at", "pk")
    )
    area_ids = {int(area) for row in rows for area in (row.levels or {}) if str(area).isdigit()}
    areas = CurriculumArea.objects.in_bulk(area_ids) if area_ids else {}
    corrected_by = {row.corrects_id: row for row in rows if row.corrects_id is not None}
    levels = dict(Assessment.Level.choices)
    documents = []
    for row in rows:
        assert row.published_at is not None
        facts = [
            (_("Subject"), row.subject.name),
            (_("Period"), row.period_label),
            (_("Version"), str(row.version)),
        ]
        if row.corrects is not None:
            facts.append((_("Corrects"), _("version %(number)d") % {"number": row.corrects.version}))
        later = corrected_by.get(row.pk)
        if later is not None:
            facts.append((_("Corrected by"), _("version %(number)d") % {"number": later.version}))
        facts.append((_("Published"), moment(row.published_at)))
        if row.published_by is not None:
            facts.append((_("Published by"), row.published_by.display_name))
        if row.use_levels:
            for area_id, level in sorted(
                (row.levels or {}).items(), key=lambda item: _area_order(areas, item[0])
            ):
                area = areas.get(int(area_id)) if str(area_id).isdigit() else None
                if area is not None:
                    facts.append((area.name, str(levels.get(level, level))))
        documents.append(
            Document(
                kind="assessments",
                key=("assessment", row.pk),
                title=_("Written assessment in %(subject)s, %(period)s, version %(version)d")
                % {"subject": row.subject.name, "period": row.period_label, "version": row.version},
                at=row.published_at,
                author=_name(row.author),
                facts=facts,
                texts=_texts(
                    Text("can_text", _("What the student can"), row.can_text),
                    Text("develop_text", _("How the student develops further"), row.develop_text),
                ),
                generic_title=_("Written assessment %(date)s") % {"date": day(row.published_at)},
            )
        )
    return _in(scope, documents)


def _area_order(areas: dict[int, CurriculumArea], area_id: Any) -> tuple[int, str]:
    area = areas.get(int(area_id)) if str(area_id).isdigit() else None
    return (area.position, area.name_sv) if area is not None else (1 << 15, str(area_id))


# --- goals, reflections and self-assessments -------------------------------------------------


def _subject_name(subject: Subject | None) -> str:
    return subject.name if subject is not None else _("general")


def _goal_title(subject: Subject | None) -> str:
    if subject is None:
        return _("General goal")
    return _("Goal in %(subject)s") % {"subject": subject.name}


def goals(scope: Scope) -> list[Document]:
    received = scope.received_at
    rows = list(
        Goal.objects.filter(student_id=scope.student_id, created_at__lte=received).select_related(
            "subject", "area", "created_by", "updated_by", "decided_by"
        )
    )
    revisions: dict[int, list[GoalRevision]] = {}
    for revision in (
        GoalRevision.objects.filter(goal__student_id=scope.student_id, written_at__lte=received)
        .select_related("area", "written_by")
        .order_by("replaced_at", "pk")
    ):
        revisions.setdefault(revision.goal_id, []).append(revision)
    statuses = dict(Goal.Status.choices)
    documents = []
    for goal in rows:
        earlier = revisions.get(goal.pk, [])
        for revision in earlier:
            if revision.replaced_at <= received:
                # A version replaced before the request arrived: a record of its own.
                documents.append(
                    Document(
                        kind="goals",
                        key=("goal_revision", revision.pk),
                        title=_("%(goal)s, earlier version (%(date)s)")
                        % {"goal": _goal_title(goal.subject), "date": day(revision.written_at)},
                        at=revision.written_at,
                        author=_name(revision.written_by),
                        facts=_goal_facts(
                            goal, str(statuses[revision.status]), revision.area, revision.target_date
                        ),
                        texts=_texts(Text("text", _("Goal"), revision.text)),
                        generic_title=_("Goal %(date)s") % {"date": day(revision.written_at)},
                    )
                )
        in_force = _goal_in_force(goal, earlier, received)
        if in_force is None:
            continue
        text, status, area, target_date, written_by, written_at, live = in_force
        facts = _goal_facts(goal, str(statuses[status]), area, target_date)
        texts = [Text("text", _("Goal"), text)]
        if live and goal.decided_at is not None:
            facts.append((_("Decided by"), _name(goal.decided_by)))
            texts.append(Text("decline_reason", _("Why the proposal was declined"), goal.decline_reason))
        documents.append(
            Document(
                kind="goals",
                key=("goal", goal.pk),
                title=_goal_title(goal.subject),
                at=written_at,
                author=_name(written_by),
                facts=facts,
                texts=_texts(*texts),
                generic_title=_("Goal %(date)s") % {"date": day(written_at)},
            )
        )
    documents.extend(_reflections(scope))
    documents.extend(_self_assessments(scope))
    return _in(scope, documents)


def _goal_in_force(
    goal: Goal, earlier: list[GoalRevision], received: datetime.datetime
) -> (
    tuple[str, str, CurriculumArea | None, datetime.date | None, User | None, datetime.datetime, bool] | None
):
    """The goal's version in force when the request arrived: (text, status, area, target
    date, who wrote it, when, whether it is the goal's current row), or None when no
    version was complete yet."""
    if goal.updated_at <= received:
        return goal.text, goal.status, goal.area, goal.target_date, goal.updated_by, goal.updated_at, True
    for revision in earlier:
        if revision.written_at <= received < revision.replaced_at:
            return (
                revision.text,
                revision.status,
                revision.area,
                revision.target_date,
                revision.written_by,
                revision.written_at,
                False,
            )
    return None


def _goal_facts(
    goal: Goal, status: str, area: CurriculumArea | None, target_date: datetime.date | None
) -> list[tuple[str, str]]:
    facts = [(_("Subject"), _subject_name(goal.subject))]
    if area is not None:
        facts.append((_("Area"), area.name))
    facts.append((_("Status"), status))
    if target_date is not None:
        facts.append((_("Target date"), target_date.isoformat()))
    facts.append(((_("Proposed by") if goal.proposed else _("Set by")), _name(goal.created_by)))
    if goal.replaces_id is not None:
        facts.append((_("Replaces"), _("an earlier goal")))
    return facts


def _reflections(scope: Scope) -> list[Document]:
    rows = GoalReflection.objects.filter(
        goal__student_id=scope.student_id, created_at__lte=scope.received_at
    ).select_related("author", "goal__subject")
    return [
        Document(
            kind="goals",
            key=("goal_reflection", row.pk),
            title=_("Reflection on a goal in %(subject)s") % {"subject": _subject_name(row.goal.subject)},
            at=row.created_at,
            author=_name(row.author),
            texts=_texts(Text("text", _("Reflection"), row.text)),
            generic_title=_("Reflection %(date)s") % {"date": day(row.created_at)},
        )
        for row in rows
    ]


def _self_assessments(scope: Scope) -> list[Document]:
    rows = SelfAssessment.objects.filter(
        student_id=scope.student_id, created_at__lte=scope.received_at
    ).select_related("student", "subject", "area", "goal__subject")
    levels = dict(SelfAssessment.Level.choices)
    documents = []
    for row in rows:
        subject = row.subject or (row.goal.subject if row.goal is not None else None)
        facts = [(_("Subject"), _subject_name(subject))]
        if row.area is not None:
            facts.append((_("Area"), row.area.name))
        if row.goal_id is not None:
            facts.append((_("About"), _("a goal")))
        facts.append((_("Level"), str(levels.get(row.level, row.level))))
        documents.append(
            Document(
                kind="goals",
                key=("self_assessment", row.pk),
                title=_("Self-assessment in %(subject)s") % {"subject": _subject_name(subject)},
                at=row.created_at,
                author=_name(row.student),
                facts=facts,
                texts=_texts(Text("text", _("In the student's own words"), row.text)),
                generic_title=_("Self-assessment %(date)s") % {"date": day(row.created_at)},
            )
        )
    return documents


# --- development talks -----------------------------------------------------------------------


def _record_texts(record: Any) -> list[Text]:
    return _texts(
        Text("iup_summary", _("Summary of the IUP for the year"), record.iup_summary),
        Text("school_actions", _("What the school will do"), record.school_actions),
        Text("home_actions", _("What the student and guardians can do"), record.home_actions),
    )


def talks(scope: Scope) -> list[Document]:
    """The IUP records of the talks: the record in force when the request arrived and each
    record replaced before it; and the preparations the student and guardians sent."""
    received = scope.received_at
    rows = list(
        DevelopmentTalk.objects.filter(student_id=scope.student_id, recorded_at__isnull=False).select_related(
            "slot__teacher", "recorded_by"
        )
    )
    revisions: dict[int, list[TalkRecordRevision]] = {}
    for revision in (
        TalkRecordRevision.objects.filter(talk__student_id=scope.student_id, recorded_at__lte=received)
        .select_related("recorded_by")
        .order_by("replaced_at", "pk")
    ):
        revisions.setdefault(revision.talk_id, []).append(revision)
    documents = []
    for talk in rows:
        for revision in revisions.get(talk.pk, []):
            if revision.replaced_at <= received:
                documents.append(
                    _talk_document(
                        talk, ("talk_record", revision.pk), revision, revision.held_on, earlier=True
                    )
                )
        assert talk.recorded_at is not None
        if talk.recorded_at <= received:
            assert talk.held_on is not None
            documents.append(_talk_document(talk, ("talk", talk.pk), talk, talk.held_on, earlier=False))
            continue
        for revision in revisions.get(talk.pk, []):
            if revision.recorded_at <= received < revision.replaced_at:
                documents.append(
                    _talk_document(talk, ("talk", talk.pk), revision, revision.held_on, earlier=False)
                )
    documents.extend(_preparations(scope))
    return _in(scope, documents)


def _talk_document(
    talk: DevelopmentTalk, key: tuple[str, int], record: Any, held_on: datetime.date, *, earlier: bool
) -> Document:
    title = _("Development talk %(date)s") % {"date": held_on.isoformat()}
    if earlier:
        title = _("%(talk)s, earlier record (%(date)s)") % {"talk": title, "date": day(record.recorded_at)}
    return Document(
        kind="talks",
        key=key,
        title=title,
        at=record.recorded_at,
        author=_name(record.recorded_by),
        facts=[
            (_("Held on"), held_on.isoformat()),
            (_("Teacher"), _name(talk.slot.teacher)),
            (_("Recorded"), moment(record.recorded_at)),
        ],
        texts=_record_texts(record),
        generic_title=_("Development talk record %(date)s") % {"date": day(record.recorded_at)},
    )


def _preparations(scope: Scope) -> list[Document]:
    rows = TalkPreparation.objects.filter(
        talk__student_id=scope.student_id, created_at__lte=scope.received_at
    ).select_related("author", "talk__slot")
    return [
        Document(
            kind="talks",
            key=("talk_preparation", row.pk),
            title=_("Preparation for the development talk %(date)s") % {"date": day(row.talk.slot.starts_at)},
            at=row.created_at,
            author=_name(row.author),
            texts=_texts(Text("body", _("Question or view"), row.body)),
            generic_title=_("Preparation for a development talk %(date)s") % {"date": day(row.created_at)},
        )
        for row in rows
    ]


# --- action programmes -----------------------------------------------------------------------

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
            (_("Decided by"), _name(version.decided_by)),
            (_("Drafted by"), _name(version.author)),
        ]
        documents.append(
            Document(
                kind="programmes",
                key=("programme_version", version.pk),
                title=_("%(programme)s, version %(number)d")
                % {"programme": _programme_title(version.programme), "number": version.number},
                at=version.decided_at,
                author=_name(version.decided_by),
                facts=facts,
                texts=_texts(
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
    return _in(scope, documents)


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
            author=_name(row.author),
            texts=_texts(Text("body", _("View"), row.body)),
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
                author=_name(row.recorded_by),
                facts=facts,
                texts=_texts(
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
                author=_name(row.closed_by),
                facts=[(_("Closed on"), day(row.closed_on or row.closed_at))],
                texts=_texts(Text("close_reason", _("Why it was closed"), row.close_reason)),
                generic_title=_("Closing of an action programme %(date)s") % {"date": day(row.closed_at)},
            )
        )
    return documents
