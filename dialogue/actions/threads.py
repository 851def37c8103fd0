"""Starting a private thread: a conversation on the student's page with a narrower audience
than the page's (``accounts.policy.threads``): the guardians and the school, or one guardian
and the school.

A guardian starts one for the guardians and the school, or for themselves and the school; a
teacher or the mentor for either, naming the guardian. Nobody starts one in an archive. The
thread and its first message are saved in one transaction: there is never an empty private
thread.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import Refused, require
from accounts.models import Guardianship, User
from dialogue import doors, queries
from dialogue.actions.messages import post_message
from dialogue.models import Message, StudentPage, Thread
from writing.texts import clean_text

MAX_TITLE_LENGTH = Thread._meta.get_field("title").max_length or 200


def _access(actor: User, page_or_student: StudentPage | User | int) -> doors.PageAccess:
    if isinstance(page_or_student, StudentPage):
        return doors.page(actor, page_or_student, opening=False)
    return doors.student_page(actor, page_or_student, opening=False)


def _check_title(title: str) -> str:
    title = " ".join(clean_text(title).split())
    if not title:
        raise Refused("title_missing", _("Give the conversation a title."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise Refused(
            "title_too_long",
            _("The title can be at most %(limit)d characters long.") % {"limit": MAX_TITLE_LENGTH},
            field="title",
        )
    return title


def _check_guardian(student_id: int, audience: str, guardian_id: int | None) -> int | None:
    """The guardian a ONE_GUARDIAN thread names must be a guardian of the student today."""
    if audience != policy.ONE_GUARDIAN:
        return None
    is_guardian = (
        guardian_id is not None
        and Guardianship.objects.active(policy.today())
        .filter(guardian_id=guardian_id, student_id=student_id)
        .exists()
    )
    if not is_guardian:
        raise Refused("unknown_guardian", _("Choose one of the student's guardians."), field="guardian")
    return guardian_id


def start_private_thread(
    actor: User,
    page_or_student: StudentPage | User | int,
    *,
    audience: str,
    guardian_id: int | None = None,
    title: str,
    body: str,
    client_id: uuid.UUID,
    send_anyway: bool = False,
) -> tuple[Thread, Message]:
    """Start a private thread with its first message; returns both.

    Raises ``NotFound`` when the actor may not read the page, ``Forbidden`` when they may not
    start this kind of thread there (a student, a principal who does not teach, an archive),
    ``Refused`` for a missing title or guardian, and what ``post_message`` raises for the
    message. A start repeated with the same ``client_id`` (a lost answer) returns the thread
    it made and makes nothing new.
    """
    access = _access(actor, page_or_student)
    page = access.page
    if audience == policy.ONE_GUARDIAN and guardian_id is None and access.relation.is_guardian:
        guardian_id = actor.pk  # a guardian's "only me and the school"
    require(access.relation.may_write)
    require(policy.may_start_private_thread(access.relation, audience, guardian_id))
    stored = queries.message_by_client_id(actor, client_id)
    if stored is not None:
        return stored.thread, stored
    title = _check_title(title)
    guardian_id = _check_guardian(page.student_id, audience, guardian_id)
    with transaction.atomic():
        thread = Thread.objects.create(
            page=page,
            kind=Thread.Kind.PRIVATE,
            title=title,
            audience=audience,
            guardian_id=guardian_id,
            started_by=actor,
        )
        message, _payload = post_message(
            actor, page, thread_id=thread.pk, body=body, client_id=client_id, send_anyway=send_anyway
        )
    return thread, message
