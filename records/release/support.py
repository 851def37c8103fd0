"""Special support as public records, as it stood when a request arrived: the extra
adaptations and their follow-ups, the reports to the principal, the principal's decisions
(whether to investigate; the outcome) and the views of the student and guardians. Each is
written once and never changed, so "as it stood" is what was written before the request."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dialogue.models import Adaptation, AdaptationFollowUp, SupportCase, SupportView
from records.release.documents import Document, Scope, Text, day
from records.release.history import nonempty, person_name, within


def _case_title(case: SupportCase) -> str:
    if case.subject is None:
        return _("Report to the principal %(date)s") % {"date": day(case.reported_at)}
    return _("Report to the principal in %(subject)s, %(date)s") % {
        "subject": case.subject.name,
        "date": day(case.reported_at),
    }


def support(scope: Scope) -> list[Document]:
    received = scope.received_at
    documents = []
    for adaptation in Adaptation.objects.filter(
        student_id=scope.student_id, created_at__lte=received
    ).select_related("subject", "created_by"):
        documents.append(
            Document(
                kind="support",
                key=("adaptation", adaptation.pk),
                title=_("Extra adaptation in %(subject)s") % {"subject": adaptation.subject.name},
                at=adaptation.created_at,
                author=person_name(adaptation.created_by),
                facts=[(_("Since"), adaptation.starts_on.isoformat())],
                texts=nonempty(Text("description", _("What is adapted"), adaptation.description)),
                generic_title=_("Extra adaptation %(date)s") % {"date": day(adaptation.created_at)},
            )
        )
    for follow_up in AdaptationFollowUp.objects.filter(
        adaptation__student_id=scope.student_id, written_at__lte=received
    ).select_related("adaptation__subject", "written_by"):
        documents.append(
            Document(
                kind="support",
                key=("adaptation_follow_up", follow_up.pk),
                title=_("Follow-up of an extra adaptation in %(subject)s")
                % {"subject": follow_up.adaptation.subject.name},
                at=follow_up.written_at,
                author=person_name(follow_up.written_by),
                facts=[(_("Next follow-up"), follow_up.next_follow_up_on.isoformat())]
                if follow_up.next_follow_up_on
                else [(_("Ended"), day(follow_up.written_at))],
                texts=nonempty(Text("result", _("The follow-up's result"), follow_up.result)),
                generic_title=_("Follow-up %(date)s") % {"date": day(follow_up.written_at)},
            )
        )
    cases = list(
        SupportCase.objects.filter(student_id=scope.student_id, reported_at__lte=received).select_related(
            "subject", "reported_by", "investigation_decided_by", "investigator", "outcome_decided_by"
        )
    )
    for case in cases:
        documents.append(
            Document(
                kind="support",
                key=("support_report", case.pk),
                title=_case_title(case),
                at=case.reported_at,
                author=person_name(case.reported_by),
                texts=nonempty(
                    Text("observations", _("What has been seen"), case.observations),
                    Text("adaptations_tried", _("Adaptations tried"), case.adaptations_tried),
                ),
                generic_title=_("Report to the principal %(date)s") % {"date": day(case.reported_at)},
            )
        )
        decided = case.investigation_decided_at
        if decided is not None and decided <= received:
            facts = (
                [(_("Who investigates"), person_name(case.investigator))]
                + ([(_("At the latest"), case.investigate_by.isoformat())] if case.investigate_by else [])
                if case.investigator_id
                else [(_("Decision"), _("The need is not investigated"))]
            )
            documents.append(
                Document(
                    kind="support",
                    key=("support_investigation", case.pk),
                    title=_("Decision on investigating: %(report)s") % {"report": _case_title(case)},
                    at=decided,
                    author=person_name(case.investigation_decided_by),
                    facts=facts,
                    texts=nonempty(
                        Text(
                            "not_investigated_reason",
                            _("Why it is not investigated"),
                            case.not_investigated_reason,
                        )
                    ),
                    generic_title=_("Decision %(date)s") % {"date": day(decided)},
                )
            )
        outcome = case.outcome_decided_at
        if outcome is not None and outcome <= received:
            needed = case.programme_id is not None
            documents.append(
                Document(
                    kind="support",
                    key=("support_outcome", case.pk),
                    title=(
                        _("Decision: the student needs special support")
                        if needed
                        else _("Decision not to write an action programme")
                    ),
                    at=outcome,
                    author=person_name(case.outcome_decided_by),
                    facts=[(_("Decided on"), day(case.outcome_decided_on or outcome))],
                    texts=nonempty(
                        Text("outcome_summary", _("What the investigation showed"), case.outcome_summary),
                        Text("outcome_grounds", _("Grounds"), case.outcome_grounds),
                    ),
                    generic_title=_("Decision %(date)s") % {"date": day(outcome)},
                )
            )
    for view in SupportView.objects.filter(
        case__student_id=scope.student_id, created_at__lte=received
    ).select_related("author", "case__subject"):
        documents.append(
            Document(
                kind="support",
                key=("support_view", view.pk),
                title=_("View on: %(report)s") % {"report": _case_title(view.case)},
                at=view.created_at,
                author=person_name(view.author),
                texts=nonempty(Text("body", _("View"), view.body)),
                generic_title=_("View %(date)s") % {"date": day(view.created_at)},
            )
        )
    return within(scope, documents)
