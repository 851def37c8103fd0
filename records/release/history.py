"""The documents of a student's page, each as it stood when a request arrived: written
assessments and goals (with reflections and self-assessments) here, development talks in
``records.release.talks`` and action programmes in ``records.release.programmes``
(``records.release.documents`` describes what is a public record and what not).

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
    Assessment,
    Goal,
    GoalReflection,
    GoalRevision,
    SelfAssessment,
)
from records.release.documents import Document, Scope, Text, day, moment


def person_name(person: User | None) -> str:
    return person.display_name if person is not None else ""


def nonempty(*texts: Text) -> list[Text]:
    """Only texts with something in them: an empty text has nothing to read or to mask."""
    return [text for text in texts if text.value]


def within(scope: Scope, documents: Iterable[Document]) -> list[Document]:
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
                author=person_name(row.author),
                facts=facts,
                texts=nonempty(
                    Text("can_text", _("What the student can"), row.can_text),
                    Text("develop_text", _("How the student develops further"), row.develop_text),
                ),
                generic_title=_("Written assessment %(date)s") % {"date": day(row.published_at)},
            )
        )
    return within(scope, documents)


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
                        author=person_name(revision.written_by),
                        facts=_goal_facts(
                            goal, str(statuses[revision.status]), revision.area, revision.target_date
                        ),
                        texts=nonempty(Text("text", _("Goal"), revision.text)),
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
            facts.append((_("Decided by"), person_name(goal.decided_by)))
            texts.append(Text("decline_reason", _("Why the proposal was declined"), goal.decline_reason))
        documents.append(
            Document(
                kind="goals",
                key=("goal", goal.pk),
                title=_goal_title(goal.subject),
                at=written_at,
                author=person_name(written_by),
                facts=facts,
                texts=nonempty(*texts),
                generic_title=_("Goal %(date)s") % {"date": day(written_at)},
            )
        )
    documents.extend(_reflections(scope))
    documents.extend(_self_assessments(scope))
    return within(scope, documents)


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
    facts.append(((_("Proposed by") if goal.proposed else _("Set by")), person_name(goal.created_by)))
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
            author=person_name(row.author),
            texts=nonempty(Text("text", _("Reflection"), row.text)),
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
                author=person_name(row.student),
                facts=facts,
                texts=nonempty(Text("text", _("In the student's own words"), row.text)),
                generic_title=_("Self-assessment %(date)s") % {"date": day(row.created_at)},
            )
        )
    return documents
