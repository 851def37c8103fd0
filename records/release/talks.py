"""Development talks as public records: the IUP record in force when a request arrived,
each record replaced before it, and the preparations the student and guardians sent (see
``records.release.history`` for how "as it stood then" is decided)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from dialogue.models import DevelopmentTalk, TalkPreparation, TalkRecordRevision
from records.release.documents import Document, Scope, Text, day, moment
from records.release.history import nonempty, person_name, within


def _record_texts(record: Any) -> list[Text]:
    return nonempty(
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
    return within(scope, documents)


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
        author=person_name(record.recorded_by),
        facts=[
            (_("Held on"), held_on.isoformat()),
            (_("Teacher"), person_name(talk.slot.teacher)),
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
            author=person_name(row.author),
            texts=nonempty(Text("body", _("Question or view"), row.body)),
            generic_title=_("Preparation for a development talk %(date)s") % {"date": day(row.created_at)},
        )
        for row in rows
    ]
