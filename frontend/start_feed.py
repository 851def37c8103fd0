"""The start page's news: what is new since the person last looked, the way a feed shows it.

"New" is what the person has not read yet, by the read state the apps already keep: the
read position of each thread (``dialogue.ReadState``) for messages, and the read state of
the inbox (``notifications.Notification.read_at``) for everything else (assessments, goals,
talks, action programmes, blog posts). Opening an item from the start page goes through the
notification, which marks it (and its inbox line) read; reading a thread moves its read
position. Beside the news stands what is coming or waiting: booked talks, drafts to finish,
proposed goals to decide, flagged texts to review.

Per role: a guardian gets a card per child, a student one for themself, a teacher one per
class (students with unread messages, drafts, proposals, talks), a principal one per school.
Who is whose child, which classes are taught and which schools are led come from the access
policy (``accounts.queries.start_page``); every read below is limited to students whose page
the person may read. A fixed number of queries whatever the number of children, classes,
students or threads.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from accounts import queries as account_queries
from accounts.models import Enrolment, School, Subject, User
from accounts.queries import ClassTaught, StartPage
from classblog import queries as blog_queries
from dialogue import queries as dialogue_queries
from dialogue.models import DevelopmentTalk, ProgrammeVersion
from dialogue.queries import UnreadThread
from notifications import queries as notification_queries
from notifications.queries import InboxEntry
from writing.queries import flagged_waiting_by_school

# Messages are counted per thread from the read positions, so their notifications would
# tell the same thing twice.
COUNTED_AS_THREADS = ("message.posted",)


@dataclass
class StudentNews:
    """What is new on one student's page for the person (their child, or themself)."""

    student: User
    enrolments: list[Enrolment]
    threads: list[UnreadThread] = field(default_factory=list)
    news: list[InboxEntry] = field(default_factory=list)
    talks: list[DevelopmentTalk] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(thread.count for thread in self.threads)

    @property
    def is_quiet(self) -> bool:
        return not (self.threads or self.news or self.talks)


@dataclass
class ClassNews:
    """What waits for a teacher in one class they teach or mentor."""

    taught: ClassTaught
    unread: list[tuple[User, int]] = field(default_factory=list)
    drafts: list[tuple[Subject, int]] = field(default_factory=list)
    proposed_goals: list[tuple[User, int]] = field(default_factory=list)
    talks: list[DevelopmentTalk] = field(default_factory=list)
    news: list[InboxEntry] = field(default_factory=list)

    @property
    def is_quiet(self) -> bool:
        return not (self.unread or self.drafts or self.proposed_goals or self.talks or self.news)


@dataclass
class SchoolNews:
    school: School
    flagged: int


@dataclass
class StartFeed:
    start: StartPage
    own: StudentNews | None
    children: list[StudentNews]
    classes: list[ClassNews]
    programme_drafts: list[ProgrammeVersion]
    schools: list[SchoolNews]
    other_news: list[InboxEntry]

    @property
    def is_empty(self) -> bool:
        return self.start.is_empty


def _target(entry: InboxEntry) -> tuple[str, int]:
    prefix, _sep, raw = entry.notification.target.partition(":")
    return prefix, int(raw) if raw.isdigit() else 0


@dataclass
class _Sorter:
    """The unread inbox lines, by the student page or the class blog they are about."""

    by_student: dict[int, list[InboxEntry]] = field(default_factory=lambda: defaultdict(list))
    by_class: dict[int, list[InboxEntry]] = field(default_factory=lambda: defaultdict(list))
    placed: set[int] = field(default_factory=set)

    def take(self, student_ids: list[int], class_ids: list[int]) -> list[InboxEntry]:
        entries = [entry for pk in student_ids for entry in self.by_student.get(pk, [])]
        entries += [entry for pk in class_ids for entry in self.by_class.get(pk, [])]
        self.placed.update(entry.notification.pk for entry in entries)
        return sorted(entries, key=lambda entry: entry.latest, reverse=True)


def _sort_news(entries: list[InboxEntry]) -> _Sorter:
    sorter = _Sorter()
    posts = [pk for prefix, pk in map(_target, entries) if prefix == "blog_post"]
    class_of_post = blog_queries.classes_of_posts(posts)
    for entry in entries:
        prefix, pk = _target(entry)
        if prefix == "student_page":
            sorter.by_student[pk].append(entry)
        elif prefix == "blog_post" and pk in class_of_post:
            sorter.by_class[class_of_post[pk]].append(entry)
    return sorter


def _student_news(
    people: list[tuple[User, list[Enrolment]]], user: User, sorter: _Sorter, now: datetime.datetime
) -> list[StudentNews]:
    ids = [person.pk for person, _enrolments in people]
    if not ids:
        return []
    threads = dialogue_queries.unread_threads(user, ids)
    talks = dialogue_queries.coming_talks_of_students(ids, now)
    return [
        StudentNews(
            student=person,
            enrolments=enrolments,
            threads=threads.get(person.pk, []),
            news=sorter.take([person.pk], [enrolment.school_class_id for enrolment in enrolments]),
            talks=talks.get(person.pk, []),
        )
        for person, enrolments in people
    ]


def _class_news(
    user: User, taught: list[ClassTaught], sorter: _Sorter, now: datetime.datetime
) -> list[ClassNews]:
    if not taught:
        return []
    class_of: dict[int, int] = {}
    for entry in taught:
        for student in entry.students:
            class_of.setdefault(student.pk, entry.school_class.pk)
    unread = dialogue_queries.unread_by_student(user, class_of)
    proposed = dialogue_queries.proposed_goals_by_student(class_of)
    drafts: dict[tuple[int, int], int] = defaultdict(int)
    for student_id, subject_id in dialogue_queries.assessment_drafts_of(user):
        if student_id in class_of:
            drafts[(class_of[student_id], subject_id)] += 1
    talks: dict[int, list[DevelopmentTalk]] = defaultdict(list)
    for talk in dialogue_queries.coming_talks_of_teacher(user, now):
        talks[talk.slot.school_class_id].append(talk)
    found = []
    for entry in taught:
        class_id = entry.school_class.pk
        students = entry.students
        found.append(
            ClassNews(
                taught=entry,
                unread=[(student, unread[student.pk]) for student in students if unread.get(student.pk)],
                drafts=[
                    (subject, drafts[(class_id, subject.pk)])
                    for subject in entry.subjects
                    if drafts.get((class_id, subject.pk))
                ],
                proposed_goals=[
                    (student, proposed[student.pk]) for student in students if proposed.get(student.pk)
                ],
                talks=talks.get(class_id, [])[:5],
                news=sorter.take([student.pk for student in students], [class_id]),
            )
        )
    return found


def start_feed(user: User) -> StartFeed:
    """Everything the person's start page shows."""
    now = timezone.now()
    start = account_queries.start_page(user)
    entries = notification_queries.unread_news(user, leave_out=COUNTED_AS_THREADS)
    sorter = _sort_news(entries)
    people = ([(user, start.own_enrolments)] if start.own_enrolments else []) + [
        (child, getattr(child, "current_enrolments", [])) for child in start.children
    ]
    news = _student_news(people, user, sorter, now)
    own = news[0] if start.own_enrolments else None
    children = news[1:] if start.own_enrolments else news
    classes = _class_news(user, start.classes_taught, sorter, now)
    staff = bool(start.classes_taught or start.led_schools)
    programme_drafts = list(dialogue_queries.programme_drafts_of(user)) if staff else []
    flagged = (
        flagged_waiting_by_school([school.pk for school in start.led_schools]) if start.led_schools else {}
    )
    return StartFeed(
        start=start,
        own=own,
        children=children,
        classes=classes,
        programme_drafts=programme_drafts,
        schools=[SchoolNews(school, flagged.get(school.pk, 0)) for school in start.led_schools],
        other_news=[entry for entry in entries if entry.notification.pk not in sorter.placed],
    )
