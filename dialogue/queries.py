"""Reads of the dialogue. Each returns what its caller shows, with related rows fetched in a
fixed number of queries."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import policy
from accounts.models import CurriculumArea, Enrolment, School, SchoolClass, SchoolYear, Subject, Term, User
from dialogue.models import (
    ActionProgramme,
    Assessment,
    Attachment,
    DevelopmentTalk,
    FollowUp,
    Goal,
    GoalReflection,
    GoalRevision,
    Message,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
    ReadState,
    SelfAssessment,
    StudentPage,
    TalkAttendee,
    TalkPreparation,
    TalkRecordRevision,
    TalkSlot,
    Thread,
)

PAGE_SIZE = 50


def _with_related(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )


def message_by_client_id(author: User, client_id: uuid.UUID) -> Message | None:
    return _with_related(Message.objects.filter(author=author, client_id=client_id)).first()


def message_for_change(message_id: int) -> Message | None:
    return Message.objects.select_related("page__student", "author").filter(pk=message_id).first()


def threads_of(page: StudentPage) -> list[Thread]:
    """General first, then subjects in curriculum order, then the rest by age."""
    threads = list(page.threads.select_related("subject"))
    order: dict[str, int] = {Thread.Kind.GENERAL: 0, Thread.Kind.SUBJECT: 1}
    return sorted(
        threads,
        key=lambda t: (order.get(t.kind, 2), t.subject.position if t.subject else 0, t.created_at),
    )


def thread_messages(
    thread: Thread, *, before_seq: int | None = None, limit: int = PAGE_SIZE
) -> list[Message]:
    """The latest ``limit`` messages of a thread (before ``before_seq``), oldest first."""
    messages = Message.objects.filter(thread=thread)
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    latest = list(_with_related(messages.order_by("-seq"))[:limit])
    latest.reverse()
    return latest


def changes_since(page: StudentPage, after_seq: int, limit: int = 500) -> list[Message]:
    """Messages created, edited or retracted after ``after_seq``, in the order of the
    changes: what a reconnecting browser missed."""
    return list(
        _with_related(Message.objects.filter(page=page, change_seq__gt=after_seq).order_by("change_seq"))[
            :limit
        ]
    )


def _unread_messages(user: User, **where: Any) -> QuerySet[Message]:
    """Messages by others, not retracted, after the point the user has read their thread to."""
    read_upto = ReadState.objects.filter(user=user, thread=OuterRef("thread")).values("last_read_seq")[:1]
    return (
        Message.objects.filter(~Q(author=user), retracted_at__isnull=True, **where)
        .annotate(read_upto=Coalesce(Subquery(read_upto), 0))
        .filter(seq__gt=F("read_upto"))
    )


def unread_counts(user: User, page: StudentPage) -> dict[int, int]:
    """Unread messages per thread of the page for the user (threads with none omitted)."""
    rows = _unread_messages(user, page=page).values("thread").annotate(n=Count("pk"))
    return {row["thread"]: row["n"] for row in rows}


def first_unread_seq(user: User, thread: Thread) -> int | None:
    """The event number of the first message in the thread the user has not read."""
    return _unread_messages(user, thread=thread).order_by("seq").values_list("seq", flat=True).first()


def unread_by_student(user: User, student_ids: Iterable[int]) -> dict[int, int]:
    """Unread messages per student page (for start pages and class lists), in one query;
    students without messages (or without a page yet) are omitted."""
    student_ids = list(student_ids)
    if not student_ids:
        return {}
    rows = (
        _unread_messages(user, page__student_id__in=student_ids)
        .values("page__student")
        .annotate(n=Count("pk"))
    )
    return {row["page__student"]: row["n"] for row in rows}


def page_heads(page_ids: Iterable[int]) -> dict[int, int]:
    """The latest event number of each page."""
    return dict(StudentPage.objects.filter(pk__in=list(page_ids)).values_list("pk", "last_seq"))


def assessment_flow_students(school_class: SchoolClass) -> QuerySet[User]:
    """The students enrolled in the class today, by name."""
    enrolled = Enrolment.objects.active(policy.today()).filter(school_class=school_class).values("student")
    return User.objects.filter(pk__in=enrolled).order_by("first_name", "last_name", "pk")


@dataclass
class AssessmentRow:
    """One student of a class in the teacher's assessment flow."""

    student: User
    draft: Assessment | None
    published: Assessment | None  # the latest published version of the period


def assessment_flow(
    school_class: SchoolClass, subject: Subject, *, school_year_id: int, term: str
) -> list[AssessmentRow]:
    """Every student enrolled in the class today with their draft and latest published
    assessment of the subject for the period. Two queries."""
    students = list(
        User.objects.filter(
            pk__in=Enrolment.objects.active(policy.today())
            .filter(school_class=school_class)
            .values("student")
        ).order_by("first_name", "last_name", "pk")
    )
    drafts: dict[int, Assessment] = {}
    published: dict[int, Assessment] = {}
    for assessment in Assessment.objects.filter(
        student__in=[student.pk for student in students],
        subject=subject,
        school_year_id=school_year_id,
        term=term,
    ).order_by("version"):
        if assessment.status == Assessment.Status.DRAFT:
            drafts[assessment.student_id] = assessment
        else:
            published[assessment.student_id] = assessment  # the highest version wins
    return [AssessmentRow(student, drafts.get(student.pk), published.get(student.pk)) for student in students]


def subject_areas(subject: Subject) -> list[CurriculumArea]:
    return list(CurriculumArea.objects.filter(subject=subject))


def assessment_versions(student: User, assessment_id: int) -> list[Assessment]:
    """Every published version of the assessment's subject and period, newest first (the
    history a reader sees); empty when the id is not a published assessment of the student."""
    anchor = (
        Assessment.objects.filter(pk=assessment_id, student=student, status=Assessment.Status.PUBLISHED)
        .values("subject_id", "school_year_id", "term")
        .first()
    )
    if anchor is None:
        return []
    return list(
        Assessment.objects.filter(student=student, status=Assessment.Status.PUBLISHED, **anchor)
        .select_related("subject", "school_year", "published_by")
        .order_by("-version")
    )


def latest_assessments(student: User) -> list[Assessment]:
    """The newest published assessment per subject (the page's structured view)."""
    published = Assessment.objects.filter(student=student, status=Assessment.Status.PUBLISHED)
    newest = published.filter(subject=OuterRef("subject")).order_by("-published_at", "-pk").values("pk")[:1]
    return list(
        published.filter(pk=Subquery(newest))
        .select_related("subject", "school_year", "published_by")
        .order_by("subject__position")
    )


# --- Development talks -------------------------------------------------------------------------


def _coming_guardians() -> Prefetch:
    """A talk's guardians who are coming, as ``talk.coming``."""
    return Prefetch(
        "attendees",
        queryset=TalkAttendee.objects.filter(left_at__isnull=True)
        .select_related("guardian")
        .order_by("joined_at"),
        to_attr="coming",
    )


def _live_talk_in_slot() -> QuerySet[DevelopmentTalk]:
    return DevelopmentTalk.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True)


def free_talk_slots(student: User, now: datetime.datetime) -> list[TalkSlot]:
    """The slots of the student's classes that can still be booked, soonest first. One query."""
    classes = Enrolment.objects.active(timezone.localdate(now)).filter(student=student).values("school_class")
    return list(
        TalkSlot.objects.filter(school_class__in=classes, cancelled_at__isnull=True, starts_at__gt=now)
        .exclude(Exists(_live_talk_in_slot()))
        .select_related("teacher")
        .order_by("starts_at", "pk")
    )


def talks_of_student(student: User) -> list[DevelopmentTalk]:
    """Every talk of the student, the latest first, with who is coming. Two queries."""
    return list(
        DevelopmentTalk.objects.filter(student=student)
        .select_related("slot__teacher", "slot__school_class", "booked_by", "cancelled_by")
        .prefetch_related(_coming_guardians())
        .order_by("-slot__starts_at", "-pk")
    )


def talk_of_student(student: User | int, talk_id: int) -> DevelopmentTalk | None:
    """One talk of the student for its page (and for the actions the page posts to)."""
    return (
        DevelopmentTalk.objects.filter(student=student, pk=talk_id)
        .select_related(
            "slot__teacher", "slot__school_class", "student", "thread", "cancelled_by", "recorded_by"
        )
        .prefetch_related(
            _coming_guardians(),
            Prefetch(
                "preparations", queryset=TalkPreparation.objects.select_related("author"), to_attr="prepared"
            ),
            Prefetch(
                "record_revisions",
                queryset=TalkRecordRevision.objects.select_related("recorded_by").order_by("-replaced_at"),
                to_attr="earlier_records",
            ),
        )
        .first()
    )


def class_talk_slots(school_class: SchoolClass, since: datetime.datetime) -> list[TalkSlot]:
    """The class's slots from ``since`` on (cancelled ones too), each with ``slot.talk``: its
    live talk with the student and the guardians coming, or None. Three queries."""
    slots = list(
        TalkSlot.objects.filter(school_class=school_class, starts_at__gte=since)
        .select_related("teacher")
        .order_by("starts_at", "pk")
    )
    talks = {
        talk.slot_id: talk
        for talk in DevelopmentTalk.objects.filter(
            slot__in=[slot.pk for slot in slots], cancelled_at__isnull=True
        )
        .select_related("student")
        .prefetch_related(_coming_guardians())
    }
    for slot in slots:
        slot.talk = talks.get(slot.pk)  # type: ignore[attr-defined]
    return slots


@dataclass(frozen=True)
class TermDates:
    kind: str  # "HT" or "VT"
    starts_on: datetime.date
    ends_on: datetime.date


def term_on(school_id: int, on: datetime.date) -> TermDates:
    """The term containing ``on``: the school's own dates where registered, otherwise
    autumn July-December and spring January-June. One query."""
    term = (
        Term.objects.filter(school_id=school_id, starts_on__lte=on, ends_on__gte=on)
        .values_list("kind", "starts_on", "ends_on")
        .first()
    )
    if term is not None:
        return TermDates(*term)
    if on.month >= 7:
        return TermDates(Term.Kind.AUTUMN, datetime.date(on.year, 7, 1), datetime.date(on.year, 12, 31))
    return TermDates(Term.Kind.SPRING, datetime.date(on.year, 1, 1), datetime.date(on.year, 6, 30))


def term_range(school_id: int, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the term containing ``on`` (``term_on``)."""
    term = term_on(school_id, on)
    return term.starts_on, term.ends_on


def students_without_talk(
    school_class: SchoolClass, starts: datetime.date, ends: datetime.date
) -> list[User]:
    """Students enrolled in the class today with no talk (held or booked, not cancelled)
    in the period: the ones the teacher still has to reach. One query."""
    first = timezone.make_aware(datetime.datetime.combine(starts, datetime.time.min))
    last = timezone.make_aware(
        datetime.datetime.combine(ends + datetime.timedelta(days=1), datetime.time.min)
    )
    talked = DevelopmentTalk.objects.filter(
        student=OuterRef("pk"),
        cancelled_at__isnull=True,
        slot__starts_at__gte=first,
        slot__starts_at__lt=last,
    )
    enrolled = Enrolment.objects.active(policy.today()).filter(school_class=school_class).values("student")
    return list(
        User.objects.filter(pk__in=enrolled).exclude(Exists(talked)).order_by("first_name", "last_name", "pk")
    )


def current_iup(student: User, on: datetime.date | None = None) -> DevelopmentTalk | None:
    """The student's current IUP: the latest talk of the current school year whose
    agreements were recorded (``held_on``, ``iup_summary``, ``school_actions``,
    ``home_actions``, ``recorded_by``), or None."""
    on = on or policy.today()
    year = SchoolYear.objects.filter(starts_on__lte=on, ends_on__gte=on).first()
    if year is None:
        return None
    return (
        DevelopmentTalk.objects.filter(
            student=student,
            cancelled_at__isnull=True,
            recorded_at__isnull=False,
            held_on__gte=year.starts_on,
            held_on__lte=year.ends_on,
        )
        .select_related("slot__teacher", "recorded_by")
        .order_by("-held_on", "-recorded_at")
        .first()
    )


def talk_self_assessments(student: User) -> list[SelfAssessment]:
    """The student's latest self-assessments, for the talk's preparation. One query."""
    return latest_self_assessments(student)


# --- Action programmes ------------------------------------------------------------------------


def _outstanding(prefix: str = "") -> Q:
    """Follow-ups planned and not yet recorded, of the version in force."""
    return Q(**{f"{prefix}recorded_at__isnull": True, f"{prefix}replaced_by__isnull": True})


def action_programmes_of(student: User) -> list[ActionProgramme]:
    """The student's programmes, newest first, each with ``next_due`` (the next outstanding
    follow-up of an adopted programme), ``view_count`` and its versions. Two queries."""
    return list(
        ActionProgramme.objects.filter(student=student)
        .select_related("subject")
        .annotate(
            next_due=Min(
                "follow_ups__due_on",
                filter=_outstanding("follow_ups__") & Q(status=ActionProgramme.Status.ADOPTED),
            ),
            view_count=Count("views", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "versions", queryset=ProgrammeVersion.objects.select_related("decided_by").order_by("number")
            )
        )
        .order_by("-created_at", "-pk")
    )


def programme_belongs_to(programme_id: int, student_id: int) -> bool:
    return ActionProgramme.objects.filter(pk=programme_id, student_id=student_id).exists()


def action_programme(student: User, programme_id: int) -> ActionProgramme | None:
    """One programme of the student with everything its page shows: versions (with their
    revisions and deciders), follow-ups and views with their people. Six queries."""
    return (
        ActionProgramme.objects.filter(student=student, pk=programme_id)
        .select_related("subject", "created_by", "closed_by", "thread")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProgrammeVersion.objects.select_related("author", "decided_by").order_by("number"),
            )
        )
        .prefetch_related(
            Prefetch("versions__revisions", queryset=ProgrammeRevision.objects.select_related("saved_by"))
        )
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("recorded_by", "version"))
        )
        .prefetch_related(
            Prefetch("views", queryset=ProgrammeView.objects.select_related("author", "version"))
        )
        .first()
    )


def follow_ups_due(school: School, on: datetime.date) -> QuerySet[ActionProgramme]:
    """Adopted programmes of the school's students (enrolled on ``on``) with a follow-up
    outstanding on or before ``on`` + 7 days, soonest first. Each has ``next_due`` and
    ``overdue``. One query."""
    enrolled = Enrolment.objects.active(on).filter(school_class__school=school).values("student")
    return (
        ActionProgramme.objects.filter(student__in=enrolled, status=ActionProgramme.Status.ADOPTED)
        .annotate(next_due=Min("follow_ups__due_on", filter=_outstanding("follow_ups__")))
        .filter(next_due__lte=on + datetime.timedelta(days=7))
        .annotate(
            overdue=Case(
                When(next_due__lt=on, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .select_related("student", "subject")
        .order_by("next_due", "pk")
    )


# General goals first, then by subject in curriculum order, oldest first within each.
GOAL_ORDER = (F("subject__position").asc(nulls_first=True), "subject__name_sv", "created_at", "pk")


def goals_of(student: User) -> list[Goal]:
    """Every goal of the student, with its reflections, earlier versions, and the goals it
    replaces and is replaced by: what the goals page shows. Three queries."""
    return list(
        Goal.objects.filter(student=student)
        .select_related(
            "subject", "area", "created_by", "decided_by", "updated_by", "replaces", "replaced_by"
        )
        .prefetch_related(
            Prefetch("reflections", queryset=GoalReflection.objects.order_by("created_at", "pk")),
            Prefetch(
                "revisions",
                queryset=GoalRevision.objects.select_related("written_by", "area").order_by(
                    "replaced_at", "pk"
                ),
            ),
        )
        .order_by(*GOAL_ORDER)
    )


def current_goals(student: User) -> list[Goal]:
    """The goals the student works towards now (active) and the proposals waiting for a
    teacher, with subject, area and who wrote them. One query."""
    return list(
        Goal.objects.filter(student=student, status__in=[Goal.Status.ACTIVE, Goal.Status.PROPOSED])
        .select_related("subject", "area", "created_by")
        .order_by(*GOAL_ORDER)
    )


def self_assessments_of(student: User) -> list[SelfAssessment]:
    """Every self-assessment of the student, newest first. One query."""
    return list(
        SelfAssessment.objects.filter(student=student)
        .select_related("goal", "subject", "area")
        .order_by("-created_at", "-pk")
    )


def latest_self_assessments(student: User) -> list[SelfAssessment]:
    """The student's newest self-assessment of each goal and of each subject (or area of
    it) they have rated themself on, newest first. One query."""
    latest: dict[tuple[int | None, int | None, int | None], SelfAssessment] = {}
    for assessment in self_assessments_of(student):
        key = (
            (assessment.goal_id, None, None)
            if assessment.goal_id
            else (None, assessment.subject_id, assessment.area_id)
        )
        latest.setdefault(key, assessment)
    return list(latest.values())
