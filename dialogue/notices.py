"""What the student page's events tell people (registered with the notifications app).

Recipients always come from the access policy (``roles_on_student_page``): only readers of
the page, narrowed to the people each event concerns. Texts name what happened and whose
page, never what was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts import policy
from accounts.models import Subject, User
from dialogue import doors
from dialogue.actions.talks import send_talk_reminders
from dialogue.models import DevelopmentTalk, Goal, Thread
from notifications.kinds import FAMILY, STAFF, Notice, register, register_periodic, register_target, target

FAMILY_ROLES = (policy.STUDENT, policy.GUARDIAN)
STAFF_ROLES = (policy.TEACHER, policy.PRINCIPAL)


def _audience(roles: Mapping[int, str], wanted: tuple[str, ...]) -> dict[int, str]:
    return {pk: FAMILY if role in FAMILY_ROLES else STAFF for pk, role in roles.items() if role in wanted}


def _student(data: Mapping[str, Any]) -> User | None:
    return User.objects.filter(pk=data["student_id"]).first()


def _subject(subject_id: int | None) -> dict[str, str]:
    subject = Subject.objects.filter(pk=subject_id).first() if subject_id else None
    if subject is None:
        return {"sv": "", "en": ""}
    return {"sv": subject.name_sv, "en": subject.name_en}


def _thread(thread: Thread | None) -> dict[str, str]:
    """The thread's title in each language (a subject's name, "General", a talk's time). A
    private thread's title is written by a person, so notices (and their e-mails and pushes)
    name only its kind."""
    titles = {}
    for language in ("sv", "en"):
        with translation.override(language):
            if thread is None:
                titles[language] = ""
            elif thread.is_private:
                titles[language] = str(thread.get_kind_display())
            else:
                titles[language] = thread.display_title
    return titles


def _notice(
    data: Mapping[str, Any],
    *,
    wanted: tuple[str, ...],
    url: str,
    only: set[int] | None = None,
    in_thread: Thread | None = None,
    **params: Any,
) -> Notice | None:
    student = _student(data)
    if student is None:
        return None
    roles = policy.roles_on_student_page(student)
    if in_thread is not None:
        roles = policy.thread_audience(roles, in_thread)
    audience = _audience(roles, wanted)
    if only is not None:
        audience = {pk: who for pk, who in audience.items() if pk in only}
    return Notice(
        target=target("student_page", student.pk),
        url=url,
        recipients=audience,
        params={"student": student.first_name, **params},
        actor_id=data.get("actor_id"),
    )


def assessment_published(data: Mapping[str, Any]) -> Notice | None:
    return _notice(
        data,
        wanted=FAMILY_ROLES,
        url=reverse("assessment-history", args=[data["student_id"], data["assessment_id"]]),
        subject=_subject(data.get("subject_id")),
    )


def message_posted(data: Mapping[str, Any]) -> Notice | None:
    # The principal reads every page of the school; told of every message, they would
    # learn to ignore the inbox. They hear of what they take part in by reading.
    author = User.objects.filter(pk=data.get("actor_id") or 0).first()
    thread_id = data.get("thread_id")
    thread = Thread.objects.select_related("subject").filter(pk=thread_id).first() if thread_id else None
    private = thread if thread is not None and thread.is_private else None
    notice = _notice(
        data,
        wanted=(policy.STUDENT, policy.GUARDIAN, policy.TEACHER),
        # The message's own thread, scrolled to it (dialogue/render.js gives each message id m-<id>).
        url=reverse("student", args=[data["student_id"]]) + f"?thread={thread_id}#m-{data['message_id']}",
        # A private thread: only its audience hears of it. The notice stays about the page
        # (its register and purge find it there); the link opens the page, whose thread list
        # holds only the threads the reader reads (``queries.threads_of``).
        in_thread=private,
        author=author.display_name if author else "",
        thread=_thread(thread),
    )
    if notice is None or author is None:
        return notice
    return replace(notice, params_for=_unnamed(author, notice.recipients, "author"))


def _unnamed(person: User, recipients: Mapping[int, str], param: str) -> dict[int, dict[str, Any]]:
    """For each recipient the policy does not let see ``person``'s name (a protected guardian,
    to the child's other guardian), ``param`` becomes the neutral label in both languages, so
    the inbox, the push and the e-mail never carry the name. Nothing is asked unless the
    person is protected."""
    labels = policy.name_hidden_from_viewers(person, list(recipients))
    unnamed: dict[int, dict[str, Any]] = {}
    for pk, label in labels.items():
        texts = {}
        for language in ("sv", "en"):
            with translation.override(language):
                texts[language] = str(label)
        unnamed[pk] = {param: texts}
    return unnamed


def goal_changed(data: Mapping[str, Any]) -> Notice | None:
    goal = Goal.objects.filter(pk=data["goal_id"]).only("created_by_id").first()
    url = reverse("goals", args=[data["student_id"]])
    if data.get("status") is None and goal is not None and data.get("decided_by"):
        # Accepted or declined: the one who proposed it.
        return _notice(data, wanted=FAMILY_ROLES + STAFF_ROLES, url=url, only={goal.created_by_id})
    return _notice(data, wanted=(*FAMILY_ROLES, policy.TEACHER), url=url)


def self_assessment_written(data: Mapping[str, Any]) -> Notice | None:
    return _notice(data, wanted=(policy.TEACHER,), url=reverse("self-assessments", args=[data["student_id"]]))


def _talk_url(data: Mapping[str, Any]) -> str:
    return reverse("talk", args=[data["student_id"], data["talk_id"]])


def talk_booked(data: Mapping[str, Any]) -> Notice | None:
    """The student's family (a guardian may join the talk) and the teacher of the time."""
    notice = _notice(data, wanted=(*FAMILY_ROLES, policy.TEACHER), url=_talk_url(data))
    if notice is None:
        return None
    teacher = data.get("teacher_id")
    recipients = {pk: who for pk, who in notice.recipients.items() if who == FAMILY or pk == teacher}
    return Notice(notice.target, notice.url, recipients, notice.params, notice.actor_id)


def talk_for_guardians(data: Mapping[str, Any]) -> Notice | None:
    guardians = set(data.get("guardian_ids", [])) | (
        {data["guardian_id"]} if "guardian_id" in data else set()
    )
    return _notice(data, wanted=(policy.GUARDIAN,), url=_talk_url(data), only=guardians)


def talk_cancelled(data: Mapping[str, Any]) -> Notice | None:
    """The guardians it concerns, and the teacher of the time when a guardian cancelled."""
    notice = talk_for_guardians(data)
    if notice is None or data.get("by_school"):
        return notice
    talk = DevelopmentTalk.objects.filter(pk=data["talk_id"])
    teacher = talk.values_list("slot__teacher", flat=True).first()
    roles = policy.roles_on_student_page(User(pk=data["student_id"]))
    recipients = dict(notice.recipients)
    if teacher is not None and roles.get(teacher) == policy.TEACHER:
        recipients[teacher] = STAFF
    return Notice(notice.target, notice.url, recipients, notice.params, notice.actor_id)


def talk_recorded(data: Mapping[str, Any]) -> Notice | None:
    return _notice(data, wanted=FAMILY_ROLES, url=_talk_url(data))


def programme_changed(data: Mapping[str, Any]) -> Notice | None:
    if data.get("version", 1) != 1 and "adopted" not in data:
        return None  # a later draft: the family was told of the first one
    url = reverse("action-programme", args=[data["student_id"], data["programme_id"]])
    return _notice(data, wanted=FAMILY_ROLES + STAFF_ROLES, url=url)


def _support_url(data: Mapping[str, Any]) -> str:
    return reverse("support-case", args=[data["student_id"], data["case_id"]])


def support_changed(data: Mapping[str, Any]) -> Notice | None:
    """The family (and the principal, of a report) is told that something happened on the
    case, never what was written; the one chosen to investigate is told too."""
    wanted = FAMILY_ROLES + ((policy.PRINCIPAL,) if data.get("stage") == "reported" else ())
    notice = _notice(data, wanted=(*FAMILY_ROLES, *STAFF_ROLES), url=_support_url(data))
    if notice is None:
        return None
    roles = {pk: who for pk, who in notice.recipients.items()}
    page_roles = policy.roles_on_student_page(User(pk=data["student_id"]))
    keep = {pk for pk in roles if page_roles.get(pk) in wanted or pk == data.get("investigator_id")}
    return Notice(notice.target, notice.url, {pk: roles[pk] for pk in keep}, notice.params, notice.actor_id)


def support_view_given(data: Mapping[str, Any]) -> Notice | None:
    """The student or a guardian gave a view on a case: the school people of the case (the
    principal, who reported it, who investigates it) are told, while they read the page."""
    notice = _notice(data, wanted=STAFF_ROLES, url=_support_url(data))
    if notice is None:
        return None
    page_roles = policy.roles_on_student_page(User(pk=data["student_id"]))
    case_people = {data.get("reporter_id"), data.get("investigator_id")}
    keep = {
        pk: who
        for pk, who in notice.recipients.items()
        if page_roles.get(pk) == policy.PRINCIPAL or pk in case_people
    }
    return Notice(notice.target, notice.url, keep, notice.params, notice.actor_id)


def assessment_not_yet(data: Mapping[str, Any]) -> Notice | None:
    """A published assessment with "not yet acceptable" in an area: the mentor(s) and the
    teacher who published it are offered the report to the principal, prefilled."""
    url = reverse("support", args=[data["student_id"]]) + (
        f"?subject={data['subject_id']}&assessment={data['assessment_id']}#report"
    )
    notice = _notice(data, wanted=(policy.TEACHER,), url=url, subject=_subject(data.get("subject_id")))
    if notice is None:
        return None
    student = User(pk=data["student_id"])
    recipients = {
        pk: who
        for pk, who in notice.recipients.items()
        if pk == data.get("actor_id") or policy.relation_to_student(User(pk=pk), student).is_mentor
    }
    # The teacher who published is told too (the default leaves out the actor).
    return Notice(notice.target, notice.url, recipients, notice.params, None)


def register_all() -> None:
    register_target("student_page", doors.may_open_student_page)
    register(
        "assessment.published",
        group="assessments",
        describe=assessment_published,
        title=_("New written assessment in %(subject)s"),
        body=_("For %(student)s. Open it to read it."),
    )
    register(
        "message.posted",
        group="messages",
        describe=message_posted,
        title=_("New message from %(author)s"),
        body=_("On %(student)s's page."),
        many=ngettext_lazy(
            "%(count)d new message from %(author)s in %(thread)s",
            "%(count)d new messages from %(author)s in %(thread)s",
            "count",
        ),
    )
    for kind, title in (
        ("goal.set", _("New goal for %(student)s")),
        ("goal.proposed", _("A goal is proposed for %(student)s")),
        ("goal.accepted", _("The proposed goal for %(student)s was accepted")),
        ("goal.declined", _("The proposed goal for %(student)s was declined")),
    ):
        register(
            kind,
            group="goals",
            describe=goal_changed,
            title=title,
            body=_("Open the goals to see it."),
            many=ngettext_lazy(
                "%(count)d change to the goals of %(student)s",
                "%(count)d changes to the goals of %(student)s",
                "count",
            ),
        )
    register(
        "self_assessment.written",
        group="goals",
        describe=self_assessment_written,
        title=_("%(student)s wrote a self-assessment"),
        body=_("Open the self-assessments to read it."),
        many=ngettext_lazy(
            "%(student)s wrote %(count)d self-assessment",
            "%(student)s wrote %(count)d self-assessments",
            "count",
        ),
    )
    register(
        "talk.booked",
        group="talks",
        describe=talk_booked,
        title=_("A development talk about %(student)s was booked"),
        body=_("Open the talk to see the time."),
    )
    register(
        "talk.moved",
        group="talks",
        describe=talk_booked,
        title=_("The development talk about %(student)s was moved"),
        body=_("Open the talk to see the new time."),
    )
    register(
        "talk.cancelled",
        group="talks",
        describe=talk_cancelled,
        title=_("The development talk about %(student)s was cancelled"),
        body=_("Book a new time on the talks page."),
    )
    register(
        "talk.reminder",
        group="talks",
        describe=talk_for_guardians,
        title=_("Reminder: development talk about %(student)s"),
        body=_("The talk is within a day. Open it to prepare."),
    )
    register(
        "talk.recorded",
        group="talks",
        describe=talk_recorded,
        title=_("The development talk about %(student)s is recorded"),
        body=_("The agreements for the year are on the page."),
    )
    for kind, title in (
        ("action_programme.drafted", _("A draft action programme for %(student)s")),
        ("action_programme.decided", _("A decision on the action programme for %(student)s")),
        ("action_programme.followed_up", _("The action programme for %(student)s was followed up")),
        ("action_programme.closed", _("The action programme for %(student)s was closed")),
    ):
        register(
            kind,
            group="action_programmes",
            describe=programme_changed,
            title=title,
            body=_("Open the programme to read it."),
        )
    register(
        "assessment.not_yet",
        group="action_programmes",
        describe=assessment_not_yet,
        title=_("“Not yet acceptable” for %(student)s in %(subject)s"),
        body=_("If the student may need special support, report it to the principal."),
    )
    for kind, title in (
        ("support.reported", _("A report to the principal about %(student)s")),
        (
            "support.investigation_decided",
            _("The principal's decision on investigating the needs of %(student)s"),
        ),
        ("support.outcome_decided", _("The principal's decision on special support for %(student)s")),
    ):
        register(
            kind,
            group="action_programmes",
            describe=support_changed,
            title=title,
            body=_("Open it to read it and to give your view."),
        )
    register(
        "support.view_given",
        group="action_programmes",
        describe=support_view_given,
        title=_("A view on the special support for %(student)s"),
        body=_("Open the report to read it."),
    )
    register_periodic("talk reminders", send_talk_reminders, every_seconds=300)
