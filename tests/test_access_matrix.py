"""The access matrix: every URL of the site x every role of the shared cast.

One row per named URL pattern, with the expected outcome for every role. The first test
fails when a URL exists without a row (or a row names a URL that no longer exists), so a
new page cannot ship without deciding who may open it.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions.login import authenticate_with_password
from accounts.actions.structure import create_term
from accounts.models import LoginAttempt, Term, User
from classblog.actions import FileChoice, change_settings, upload_file, write_comment, write_post
from classblog.models import ClassBlog
from dialogue.actions.threads import start_private_thread
from dialogue.models import StudentPage, Thread
from notifications.actions import subscribe_push
from notifications.fanout import fan_out_waiting
from notifications.models import Notification
from records.exports.actions import request_export
from records.exports.jobs import run_exports
from records.models import DataExport, RetentionRule, SecrecyGround
from tests.support.access_log import access_log_objects
from tests.support.cast import ROLES, Cast
from tests.support.clients import verified_client
from tests.support.dialogue import (
    action_programme_objects,
    assessment_objects,
    dialogue_objects,
    goal_objects,
    png_bytes,
)
from tests.support.register_runs import register_objects
from tests.support.releases import decided, release_objects
from tests.support.sockets import open_socket
from tests.support.sockets import receive as socket_receive
from tests.support.sockets import send as socket_send
from tests.support.support import support_objects
from tests.support.talks import next_week, talk_objects

OK = 200
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405


@dataclass(frozen=True)
class Redirect:
    """A 302 to a named URL (compared without the query string)."""

    to: str

    def path(self) -> str:
        return reverse(self.to)


LOGIN = Redirect("login")
# A browser's push subscription key (an uncompressed P-256 point).
P256DH = "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk"
Outcome = int | Redirect


@dataclass
class Row:
    url: Callable[[Cast, dict[str, Any]], str]
    expect: Mapping[str, Outcome | Callable[[Cast, dict[str, Any]], Outcome]]
    method: str = "get"
    # Form data, or a function of the cast and the extra objects giving it.
    data: dict[str, str] | Callable[[Cast, dict[str, Any]], dict[str, str]] = field(default_factory=dict)


def everyone(outcome: Any, *, anonymous: Outcome = LOGIN, **overrides: Any) -> dict[str, Any]:
    """Same outcome for every logged-in role, with exceptions."""
    table = {role: outcome for role in ROLES}
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def only(roles: set[str], allowed: Any = OK, denied: Outcome = NOT_FOUND) -> dict[str, Any]:
    """``allowed`` for the named roles, ``denied`` for every other logged-in role."""
    unknown = roles - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return everyone(denied, **{role: allowed for role in roles})


ADMINS = {"school_admin", "operator"}
PAGE_MEMBERS = {"student", "guardian_1", "guardian_2", "teacher", "principal"}
# The readers of guardian_1's private thread with the school (issue 16).
PRIVATE_READERS = {"guardian_1", "teacher", "principal"}
GOAL_SETTERS = {"teacher", "principal"}
GOAL_PROPOSERS = {"student", "guardian_1", "guardian_2"}
STAFF_WITH_AUTHENTICATOR = {
    "teacher",
    "other_teacher",
    "principal",
    "other_principal",
    "school_admin",
    "registrar",
    "operator",
}
FORMER_STAFF_OR_FAMILY = set(ROLES) - STAFF_WITH_AUTHENTICATOR - {"anonymous"}
REGISTRAR = {"registrar"} & set(ROLES)


def fixed(path: str) -> Callable[[Cast, dict[str, Any]], str]:
    return lambda cast, extra: path


def named(
    name: str, *args: Callable[[Cast, dict[str, Any]], object]
) -> Callable[[Cast, dict[str, Any]], str]:
    return lambda cast, extra: reverse(name, args=[arg(cast, extra) for arg in args])


def admin_model_rows(
    model: str,
    obj: Callable[[Cast, dict[str, Any]], object],
    *,
    viewers: set[str],
    adders: set[str],
    changers: set[str],
    app: str = "accounts",
) -> dict[str, Row]:
    """The five URLs Django's admin has per model. ``viewers`` see list, page and history;
    logged-in people outside ADMINS get 403 from the site itself."""

    def denied_unless(roles: set[str]) -> dict[str, Outcome]:
        return only(roles, OK, FORBIDDEN)

    prefix = f"admin:{app}_{model}"
    page = denied_unless(viewers | changers)
    # Django's old-style object URL redirects any administrator to the change page, which
    # then applies the model's own permission.
    legacy = Row(
        lambda cast, extra: f"/admin/{app}/{model}/{obj(cast, extra)}/",
        only(ADMINS, Redirect(f"/admin/{app}/{model}/{{id}}/change/"), FORBIDDEN),
    )
    return {
        f"<unnamed> admin/{app}/{model}/<path:object_id>/": legacy,
        f"{prefix}_changelist": Row(named(f"{prefix}_changelist"), denied_unless(viewers)),
        f"{prefix}_add": Row(named(f"{prefix}_add"), denied_unless(adders)),
        f"{prefix}_change": Row(named(f"{prefix}_change", obj), page),
        f"{prefix}_history": Row(named(f"{prefix}_history", obj), denied_unless(viewers)),
        # Nothing is ever deleted: memberships end with a date.
        f"{prefix}_delete": Row(named(f"{prefix}_delete", obj), only(set(), denied=FORBIDDEN)),
    }


def _searching(
    name: str, q: str, *args: Callable[[Cast, dict[str, Any]], object]
) -> Callable[[Cast, dict[str, Any]], str]:
    """A search page's URL with the search in its query string."""
    return lambda cast, extra: f"{named(name, *args)(cast, extra)}?{urlencode({'q': q})}"


def _student_id(cast: Cast, extra: dict[str, Any]) -> int:
    return cast.student.pk


def _talk_id(cast: Cast, extra: dict[str, Any]) -> int:
    return int(extra["talk"].pk)


def _export_id(cast: Cast, extra: dict[str, Any]) -> int:
    return int(extra["export"].pk)


def _class_4a(cast: Cast, extra: dict[str, Any]) -> int:
    return cast.class_4a.pk


def _talks_page(cast: Cast, extra: dict[str, Any]) -> Redirect:
    return Redirect(reverse("student-talks", args=[cast.student.pk]))


def _class_talks_page(cast: Cast, extra: dict[str, Any]) -> Redirect:
    return Redirect(reverse("class-talks", args=[cast.class_4a.pk]))


def _guardians_act(outcome: Callable[[Cast, dict[str, Any]], Redirect]) -> dict[str, Any]:
    """Guardians reach the booking action; the student and staff who see the page get 403."""
    return only({"guardian_1", "guardian_2"}, outcome) | {
        role: FORBIDDEN for role in ("student", "teacher", "principal")
    }


ARCHIVE_READERS = {"left_student", "principal", "registrar"}
# Requests for public records about the cast's students (Norrskolan's) are handled by its
# registrar and its principal.
RELEASE_HANDLERS = {"principal", "registrar"}


def _release_id(cast: Cast, extra: dict[str, Any]) -> int:
    return int(extra["release"].pk)


def _archive_release_id(cast: Cast, extra: dict[str, Any]) -> int:
    return int(extra["release_archive"].pk)


def _decided_release_id(cast: Cast, extra: dict[str, Any]) -> int:
    """A decided request (decided here, for the rows that need one)."""
    return int(decided(cast, extra).pk)


def _left_student(cast: Cast, extra: dict[str, Any]) -> int:
    return cast.left_student.pk


ARCHIVE_ROWS: dict[str, Row] = {
    "student@archive": Row(named("student", _left_student), only(ARCHIVE_READERS)),
    "thread-history@archive": Row(
        named(
            "thread-history",
            lambda cast, extra: extra["left_page"].pk,
            lambda cast, extra: extra["left_thread"].pk,
        ),
        only(ARCHIVE_READERS),
    ),
    "message-revisions@archive": Row(
        named(
            "message-revisions",
            lambda cast, extra: extra["left_page"].pk,
            lambda cast, extra: extra["left_message"].pk,
        ),
        only(ARCHIVE_READERS),
    ),
    "plan@archive": Row(named("plan", _left_student), only(ARCHIVE_READERS)),
    "goals@archive": Row(named("goals", _left_student), only(ARCHIVE_READERS)),
    "self-assessments@archive": Row(named("self-assessments", _left_student), only(ARCHIVE_READERS)),
    "student-talks@archive": Row(named("student-talks", _left_student), only(ARCHIVE_READERS)),
    "action-programmes@archive": Row(named("action-programmes", _left_student), only(ARCHIVE_READERS)),
    # Nothing is written to an archive (tests/dialogue/test_archive.py tries every form with
    # real data); its readers reach the upload's check of the request (no file: 400), and
    # nobody else learns the page exists.
    "attachment-upload@archive": Row(
        named("attachment-upload", lambda cast, extra: extra["left_page"].pk),
        only(ARCHIVE_READERS, BAD_REQUEST),
        method="post",
    ),
    "goal-set@archive": Row(named("goal-set", _left_student), everyone(NOT_FOUND), method="post"),
    "goal-propose@archive": Row(named("goal-propose", _left_student), everyone(NOT_FOUND), method="post"),
    "self-assessment-new@archive": Row(
        named("self-assessment-new", _left_student), everyone(NOT_FOUND), method="post"
    ),
    "action-programme-new@archive": Row(
        named("action-programme-new", _left_student), only(ARCHIVE_READERS, FORBIDDEN), method="post"
    ),
}


ROWS: dict[str, Row] = {
    # --- Logging in and out --------------------------------------------------------------
    "login": Row(fixed("/login/"), everyone(Redirect("start"), anonymous=OK)),
    "otp-verify": Row(fixed("/login/code/"), everyone(Redirect("start"))),
    # The step-up page: every session here had a strong login just now, so it goes straight on
    # to ``next`` (the start page without one); tests/frontend/test_step_up.py shows it to
    # every role without a recent one.
    "step-up": Row(fixed("/login/confirm/"), everyone(Redirect("start"))),
    "logout": Row(fixed("/logout/"), everyone(LOGIN), method="post"),
    # --- Logging in with e-ID and school accounts (SAML, issue 18) -----------------------
    # The matrix's world has no identity provider and no service certificate: every SAML
    # door answers the same to every role (tests/accounts/test_saml_*.py drive them for real).
    # No provider named (or an unknown one): not found.
    "saml-login": Row(fixed("/saml2/login/"), everyone(NOT_FOUND, anonymous=NOT_FOUND)),
    # A post without a response (or with anything unverifiable): the refusal page.
    "saml-acs": Row(fixed("/saml2/acs/"), everyone(BAD_REQUEST, anonymous=BAD_REQUEST), method="post"),
    "saml-sls": Row(fixed("/saml2/ls/"), everyone(BAD_REQUEST, anonymous=BAD_REQUEST)),
    "saml-sls-post": Row(
        fixed("/saml2/ls/post/"), everyone(BAD_REQUEST, anonymous=BAD_REQUEST), method="post"
    ),
    # The page on the way to the provider's logout, once, right after logging out here.
    "saml-logout": Row(fixed("/saml2/logout/"), everyone(LOGIN)),
    # The service's metadata: public once a certificate is configured; not found without.
    "saml-metadata": Row(fixed("/saml2/metadata/"), everyone(NOT_FOUND, anonymous=NOT_FOUND)),
    "set-language": Row(
        fixed("/language/"),
        everyone(Redirect("start"), anonymous=Redirect("start")),
        method="post",
        data={"language": "en", "next": "/"},
    ),
    # --- Installing the app (nothing about anyone in them) -------------------------------
    "service-worker": Row(fixed("/sw.js"), everyone(OK, anonymous=OK)),
    "web-manifest": Row(fixed("/manifest.webmanifest"), everyone(OK, anonymous=OK)),
    # --- Notifications: everyone has their own; someone else's looks missing -------------
    "notifications": Row(named("notifications"), everyone(OK)),
    "notifications-unread": Row(named("notifications-unread"), everyone(OK)),
    "notifications-read-all": Row(
        named("notifications-read-all"), everyone(Redirect("/notifications/")), method="post"
    ),
    "notification-settings": Row(named("notification-settings"), everyone(OK)),
    "push-subscribe": Row(
        named("push-subscribe"),
        everyone(201),
        method="post",
        data={
            "endpoint": "https://push.example.org/send/matrix",
            "p256dh": P256DH,
            "auth": "Q2BoAjC09xH3ywDLNJr-dA",
        },
    ),
    "push-unsubscribe": Row(
        named("push-unsubscribe"),
        everyone(Redirect("/notifications/settings/")),
        method="post",
        data=lambda cast, extra: {"device": str(extra["device"].pk)},
    ),
    # --- The access log (the principal's opening of the student's page, made in extra) ----
    "student-openings": Row(
        named("student-openings", _student_id), only({"student", "guardian_1", "guardian_2"})
    ),
    "access-review": Row(named("access-review", lambda cast, extra: cast.school.pk), only({"principal"})),
    "access-review-opening-checked": Row(
        named(
            "access-review-opening-checked",
            lambda cast, extra: cast.school.pk,
            lambda cast, extra: extra["opening"].pk,
        ),
        only({"principal"}, lambda cast, extra: Redirect(reverse("access-review", args=[cast.school.pk]))),
        method="post",
    ),
    "access-review-volume-checked": Row(
        named("access-review-volume-checked", lambda cast, extra: cast.school.pk),
        only({"principal"}, lambda cast, extra: Redirect(reverse("access-review", args=[cast.school.pk]))),
        method="post",
        data=lambda cast, extra: {
            "viewer": str(cast.principal.pk),
            "day": timezone.localdate(extra["opening"].at).isoformat(),
        },
    ),
    **admin_model_rows(
        "opening",
        lambda cast, extra: extra["opening"].pk,
        viewers={"operator"},
        adders=set(),
        changers={"operator"},
        app="records",
    ),
    # guardian_1's notification of the published assessment.
    "notification-open": Row(
        named("notification-open", lambda cast, extra: extra["notification"].pk),
        only(
            {"guardian_1"},
            lambda cast, extra: Redirect(
                reverse("assessment-history", args=[cast.student.pk, extra["assessment"].pk])
            ),
        ),
    ),
    "notification-read": Row(
        named("notification-read", lambda cast, extra: extra["notification"].pk),
        only({"guardian_1"}, Redirect("/notifications/")),
        method="post",
    ),
    # --- The account ---------------------------------------------------------------------
    "account": Row(fixed("/account/"), everyone(OK)),
    "password-change": Row(fixed("/account/password/"), everyone(OK)),
    "logout-everywhere": Row(fixed("/account/logout-everywhere/"), everyone(LOGIN), method="post"),
    "otp-setup": Row(fixed("/account/two-factor/"), everyone(OK)),
    "otp-recovery-codes": Row(
        fixed("/account/two-factor/recovery-codes/"),
        only(STAFF_WITH_AUTHENTICATOR, OK, FORBIDDEN),
        method="post",
    ),
    "otp-remove": Row(
        fixed("/account/two-factor/remove/"),
        everyone(FORBIDDEN, **{role: Redirect("account") for role in FORMER_STAFF_OR_FAMILY}),
        method="post",
    ),
    # --- Pages ---------------------------------------------------------------------------
    "start": Row(fixed("/"), everyone(OK)),
    "student": Row(
        named("student", lambda cast, extra: cast.student.pk),
        only({"student", "guardian_1", "guardian_2", "teacher", "principal"}),
    ),
    "class": Row(named("class", lambda cast, extra: cast.class_4a.pk), only({"teacher", "principal"})),
    "school": Row(named("school", lambda cast, extra: cast.school.pk), only({"principal"})),
    # --- Search (issue 16) ---
    # Everyone logged in searches what they may read (the policy filters in the query:
    # tests/dialogue/test_search.py); one page's search is for that page's readers only.
    # The query in the URL itself, so that the layout check (every GET row) shows results.
    "search": Row(_searching("search", "teckning"), everyone(OK)),
    "search@empty": Row(named("search"), everyone(OK)),
    "student-search": Row(_searching("student-search", "teckning", _student_id), only(PAGE_MEMBERS)),
    "student-search@archive": Row(
        _searching("student-search", "Luleå", _left_student), only(ARCHIVE_READERS)
    ),
    # --- The archive of students who left ----------------------------------------------------
    # Each school's principal and registrar read its archive list (Söderskolan's is empty).
    "archive": Row(named("archive"), only({"principal", "registrar", "other_principal"})),
    # The page of the student who left is a read-only archive: she, the principal and the
    # registrar of her last school read it; her teachers no longer do. (Rows named
    # "<url>@archive" are the same URLs, on the archived page.)
    **ARCHIVE_ROWS,
    # --- The student page's dialogue -------------------------------------------------------
    "thread-history": Row(
        named("thread-history", lambda cast, extra: extra["page"].pk, lambda cast, extra: extra["thread"].pk),
        only(PAGE_MEMBERS),
    ),
    # Members reach the upload check (no file sent: 400); nobody else learns the page exists.
    "attachment-upload": Row(
        named("attachment-upload", lambda cast, extra: extra["page"].pk),
        only(PAGE_MEMBERS, BAD_REQUEST),
        method="post",
    ),
    "message-revisions": Row(
        named(
            "message-revisions", lambda cast, extra: extra["page"].pk, lambda cast, extra: extra["message"].pk
        ),
        only(PAGE_MEMBERS),
    ),
    "attachment": Row(
        named("attachment", lambda cast, extra: extra["page"].pk, lambda cast, extra: extra["attachment"].pk),
        only(PAGE_MEMBERS),
    ),
    "flagged-texts": Row(named("flagged-texts", lambda cast, extra: cast.school.pk), only({"principal"})),
    "flagged-text-reviewed": Row(
        named(
            "flagged-text-reviewed", lambda cast, extra: cast.school.pk, lambda cast, extra: extra["flag"].pk
        ),
        only({"principal"}, lambda cast, extra: Redirect(reverse("flagged-texts", args=[cast.school.pk]))),
        method="post",
    ),
    # --- Private threads (issue 16) ---
    # A guardian or a teacher of the student starts one (the form, and its start with no
    # data: 400); the student, the principal and everyone else find no such page.
    "new-thread": Row(
        named("new-thread", lambda cast, extra: cast.student.pk),
        only({"guardian_1", "guardian_2", "teacher"}),
    ),
    "new-thread@post": Row(
        named("new-thread", lambda cast, extra: cast.student.pk),
        only({"guardian_1", "guardian_2", "teacher"}, BAD_REQUEST),
        method="post",
    ),
    "new-thread@archive": Row(named("new-thread", _left_student), everyone(NOT_FOUND)),
    # The page opened at the private thread (as its notification links): guardian_2 and the
    # student get the page at its first thread, without it (tests/dialogue/test_private_threads.py).
    "student@private": Row(
        lambda cast, extra: (
            reverse("student", args=[cast.student.pk]) + f"?thread={extra['private_thread'].pk}"
        ),
        only(PAGE_MEMBERS),
    ),
    # guardian_1's thread with the school: its history and its message's versions are not
    # found for guardian_2 and the student, as for outsiders.
    "thread-history@private": Row(
        named(
            "thread-history",
            lambda cast, extra: extra["page"].pk,
            lambda cast, extra: extra["private_thread"].pk,
        ),
        only(PRIVATE_READERS),
    ),
    "message-revisions@private": Row(
        named(
            "message-revisions",
            lambda cast, extra: extra["page"].pk,
            lambda cast, extra: extra["private_message"].pk,
        ),
        only(PRIVATE_READERS),
    ),
    # --- Written assessments ---------------------------------------------------------------
    "plan": Row(named("plan", lambda cast, extra: cast.student.pk), only(PAGE_MEMBERS)),
    "assessment-history": Row(
        named(
            "assessment-history",
            lambda cast, extra: cast.student.pk,
            lambda cast, extra: extra["assessment"].pk,
        ),
        only(PAGE_MEMBERS),
    ),
    # Only the teacher who teaches 4A maths writes its assessments; not the principal.
    "assessment-flow": Row(
        named("assessment-flow", lambda cast, extra: cast.class_4a.pk, lambda cast, extra: cast.maths.pk),
        only({"teacher"}),
    ),
    "assessment-draft": Row(
        named(
            "assessment-draft",
            lambda cast, extra: cast.class_4a.pk,
            lambda cast, extra: cast.maths.pk,
            lambda cast, extra: cast.student.pk,
        ),
        only({"teacher"}, lambda cast, extra: Redirect(_flow(cast, f"#student-{cast.student.pk}"))),
        method="post",
    ),
    "assessment-publish": Row(
        named(
            "assessment-publish",
            lambda cast, extra: cast.class_4a.pk,
            lambda cast, extra: cast.maths.pk,
            lambda cast, extra: cast.student.pk,
        ),
        only({"teacher"}, lambda cast, extra: Redirect(_flow(cast, f"#student-{cast.student.pk}"))),
        method="post",
    ),
    "assessment-publish-all": Row(
        named(
            "assessment-publish-all", lambda cast, extra: cast.class_4a.pk, lambda cast, extra: cast.maths.pk
        ),
        only({"teacher"}, lambda cast, extra: Redirect(_flow(cast))),
        method="post",
    ),
    # Anyone may keep phrases (an empty one is refused: back to the start page).
    "phrase-add": Row(named("phrase-add"), everyone(Redirect("start")), method="post"),
    "phrase-delete": Row(
        named("phrase-delete", lambda cast, extra: extra["phrase"].pk),
        only({"teacher"}, Redirect("start")),
        method="post",
    ),
    "follow-up": Row(named("follow-up", lambda cast, extra: cast.school.pk), only({"principal"})),
    "assessment-form": Row(named("assessment-form", lambda cast, extra: cast.school.pk), only({"principal"})),
    # --- Development talks -----------------------------------------------------------------
    # Page members see a student's talks; only guardians book, join, move and cancel (the
    # others who see the page get 403); the student and guardians prepare; a teacher of the
    # student records. The class's page is for its teachers and the principal, who sees but
    # does not open or cancel times. Refusals for the state of a talk (guardian_1 already has
    # a booking, ...) still redirect back to the page with the reason.
    "student-talks": Row(named("student-talks", lambda cast, extra: cast.student.pk), only(PAGE_MEMBERS)),
    "talk": Row(named("talk", _student_id, _talk_id), only(PAGE_MEMBERS)),
    "talk-book": Row(
        named("talk-book", _student_id),
        _guardians_act(_talks_page),
        method="post",
        data=lambda cast, extra: {"slot": str(extra["free_slot"].pk)},
    ),
    "talk-join": Row(named("talk-join", _student_id, _talk_id), _guardians_act(_talks_page), method="post"),
    "talk-cancel": Row(
        named("talk-cancel", _student_id, _talk_id), _guardians_act(_talks_page), method="post"
    ),
    "talk-move": Row(
        named("talk-move", _student_id, _talk_id),
        _guardians_act(_talks_page),
        method="post",
        data=lambda cast, extra: {"slot": str(extra["other_free_slot"].pk)},
    ),
    "talk-prepare": Row(
        named("talk-prepare", _student_id, _talk_id),
        only(
            {"student", "guardian_1", "guardian_2"},
            lambda cast, extra: Redirect(
                reverse("talk", args=[cast.student.pk, extra["talk"].pk]) + "#preparation"
            ),
        )
        | {"teacher": FORBIDDEN, "principal": FORBIDDEN},
        method="post",
        data={"body": "Vi undrar hur läsningen går."},
    ),
    "talk-record": Row(
        named("talk-record", _student_id, lambda cast, extra: extra["past_talk"].pk),
        only(
            {"teacher"},
            lambda cast, extra: Redirect(
                reverse("talk", args=[cast.student.pk, extra["past_talk"].pk]) + "#agreements"
            ),
        )
        | {role: FORBIDDEN for role in ("student", "guardian_1", "guardian_2", "principal")},
        method="post",
        data=lambda cast, extra: {
            "held_on": timezone.localdate(extra["past_talk"].slot.starts_at).isoformat(),
            "iup_summary": "Anna läser mer hemma.",
        },
    ),
    "class-talks": Row(named("class-talks", _class_4a), only({"teacher", "principal"})),
    "talk-slots-open": Row(
        named("talk-slots-open", _class_4a),
        only({"teacher"}, _class_talks_page) | {"principal": FORBIDDEN},
        method="post",
        data=lambda cast, extra: {
            "day": (next_week() + datetime.timedelta(days=1)).isoformat(),
            "start": "09:00",
            "minutes": "30",
            "place": "Klassrum 4A",
        },
    ),
    "talk-slot-cancel": Row(
        named("talk-slot-cancel", _class_4a, lambda cast, extra: extra["talk_slot"].pk),
        only({"teacher"}, _class_talks_page) | {"principal": FORBIDDEN},
        method="post",
    ),
    # --- Action programmes -------------------------------------------------------------------
    # Readers of the page read; a reader whose role does not allow an action gets 403. The
    # posts send nothing, so an allowed role is refused clearly (400) and nothing changes.
    "action-programmes": Row(
        named("action-programmes", lambda cast, extra: cast.student.pk), only(PAGE_MEMBERS)
    ),
    "action-programme": Row(
        named(
            "action-programme", lambda cast, extra: cast.student.pk, lambda cast, extra: extra["programme"].pk
        ),
        only(PAGE_MEMBERS),
    ),
    "action-programme-new": Row(
        named("action-programme-new", lambda cast, extra: cast.student.pk),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": BAD_REQUEST, "principal": BAD_REQUEST},
        method="post",
    ),
    "action-programme-draft": Row(
        named(
            "action-programme-draft",
            lambda cast, extra: cast.student.pk,
            lambda cast, extra: extra["programme"].pk,
        ),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": BAD_REQUEST, "principal": BAD_REQUEST},
        method="post",
    ),
    "action-programme-comment": Row(
        named(
            "action-programme-comment",
            lambda cast, extra: cast.student.pk,
            lambda cast, extra: extra["programme"].pk,
        ),
        only(PAGE_MEMBERS, BAD_REQUEST),
        method="post",
    ),
    "action-programme-decide": Row(
        named(
            "action-programme-decide",
            lambda cast, extra: cast.student.pk,
            lambda cast, extra: extra["programme"].pk,
        ),
        only(PAGE_MEMBERS, FORBIDDEN) | {"principal": BAD_REQUEST},
        method="post",
    ),
    "action-programme-follow-up": Row(
        named(
            "action-programme-follow-up",
            lambda cast, extra: cast.student.pk,
            lambda cast, extra: extra["programme"].pk,
            lambda cast, extra: extra["follow_up"].pk,
        ),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": BAD_REQUEST, "principal": BAD_REQUEST},
        method="post",
    ),
    "action-programme-close": Row(
        named(
            "action-programme-close",
            lambda cast, extra: cast.student.pk,
            lambda cast, extra: extra["programme"].pk,
        ),
        only(PAGE_MEMBERS, FORBIDDEN) | {"principal": BAD_REQUEST},
        method="post",
    ),
    # --- Special support (issue 16) ---
    # Readers of the page read; a reader whose role does not allow an action gets 403 (the
    # action's Forbidden), outsiders 404. The posts send nothing, so the one allowed role is
    # refused clearly (400) and nothing changes. The report being investigated
    # (``support_objects``): the principal's next decision is the outcome.
    "support": Row(named("support", _student_id), only(PAGE_MEMBERS)),
    "support@archive": Row(named("support", _left_student), only(ARCHIVE_READERS)),
    "support-adaptation-new": Row(
        named("support-adaptation-new", _student_id),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": BAD_REQUEST},
        method="post",
    ),
    "support-adaptation-new@archive": Row(
        named("support-adaptation-new", _left_student), only(ARCHIVE_READERS, FORBIDDEN), method="post"
    ),
    "support-adaptation-follow-up": Row(
        named("support-adaptation-follow-up", _student_id, lambda cast, extra: extra["adaptation"].pk),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": BAD_REQUEST},
        method="post",
    ),
    "support-report": Row(
        named("support-report", _student_id),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": BAD_REQUEST},
        method="post",
    ),
    "support-report@archive": Row(
        named("support-report", _left_student), only(ARCHIVE_READERS, FORBIDDEN), method="post"
    ),
    "support-case": Row(
        named("support-case", _student_id, lambda cast, extra: extra["support_case"].pk), only(PAGE_MEMBERS)
    ),
    "support-case-investigation": Row(
        named("support-case-investigation", _student_id, lambda cast, extra: extra["support_case"].pk),
        only(PAGE_MEMBERS, FORBIDDEN) | {"principal": BAD_REQUEST},
        method="post",
    ),
    "support-case-outcome": Row(
        named("support-case-outcome", _student_id, lambda cast, extra: extra["support_case"].pk),
        only(PAGE_MEMBERS, FORBIDDEN) | {"principal": BAD_REQUEST},
        method="post",
    ),
    "support-case-view": Row(
        named("support-case-view", _student_id, lambda cast, extra: extra["support_case"].pk),
        only(PAGE_MEMBERS, FORBIDDEN)
        | {"student": BAD_REQUEST, "guardian_1": BAD_REQUEST, "guardian_2": BAD_REQUEST},
        method="post",
    ),
    # --- Goals and self-assessments ---------------------------------------------------------
    # Every reader of the page reads them; a form sent empty is refused and comes back on the
    # page (200) for whoever may send it; everyone else on the page gets the outsiders' 404.
    "goals": Row(named("goals", lambda cast, extra: cast.student.pk), only(PAGE_MEMBERS)),
    "goal-set": Row(
        named("goal-set", lambda cast, extra: cast.student.pk), only(GOAL_SETTERS), method="post"
    ),
    "goal-propose": Row(
        named("goal-propose", lambda cast, extra: cast.student.pk), only(GOAL_PROPOSERS), method="post"
    ),
    # Deciding a proposal sends the page back at the goal (the second decider is told that
    # it was decided already).
    "goal-accept": Row(
        named("goal-accept", lambda cast, extra: cast.student.pk, lambda cast, extra: extra["proposal"].pk),
        only(GOAL_SETTERS, lambda cast, extra: _at_goal(cast, extra["proposal"])),
        method="post",
    ),
    "goal-decline": Row(
        named("goal-decline", lambda cast, extra: cast.student.pk, lambda cast, extra: extra["proposal"].pk),
        only(GOAL_SETTERS, lambda cast, extra: _at_goal(cast, extra["proposal"])),
        method="post",
    ),
    # No status chosen: refused, told at the top of the page.
    "goal-status": Row(
        named("goal-status", lambda cast, extra: cast.student.pk, lambda cast, extra: extra["goal"].pk),
        only(GOAL_SETTERS, lambda cast, extra: _at_goal(cast, extra["goal"])),
        method="post",
    ),
    "goal-edit": Row(
        named("goal-edit", lambda cast, extra: cast.student.pk, lambda cast, extra: extra["goal"].pk),
        only(GOAL_SETTERS),
        method="post",
    ),
    "goal-reflect": Row(
        named("goal-reflect", lambda cast, extra: cast.student.pk, lambda cast, extra: extra["goal"].pk),
        only({"student"}),
        method="post",
    ),
    "self-assessments": Row(
        named("self-assessments", lambda cast, extra: cast.student.pk), only(PAGE_MEMBERS)
    ),
    "self-assessment-new": Row(
        named("self-assessment-new", lambda cast, extra: cast.student.pk), only({"student"}), method="post"
    ),
    # --- The class blog ----------------------------------------------------------------------
    # 4A's readers are the page members; in extra's blog students may write posts and
    # comments are open to students and teachers (not guardians). Forms sent empty are
    # refused (400 on the page, or back to the blog with the reason for one-button forms);
    # a reader without the right gets 403, everyone else the outsiders' 404.
    "blogs": Row(fixed("/blogs/"), everyone(OK)),
    "class-blog": Row(named("class-blog", _class_4a), only(PAGE_MEMBERS)),
    "blog-post-new": Row(
        named("blog-post-new", _class_4a),
        only(PAGE_MEMBERS, FORBIDDEN) | {role: BAD_REQUEST for role in ("student", "teacher", "principal")},
        method="post",
    ),
    "blog-post": Row(
        named("blog-post", _class_4a, lambda cast, extra: extra["blog_post"].pk), only(PAGE_MEMBERS)
    ),
    # The student's own pending post: its author sees it (but may not approve it), the
    # guardians do not see it at all until it is approved.
    "blog-post-approve": Row(
        named("blog-post-approve", _class_4a, lambda cast, extra: extra["pending_post"].pk),
        only({"teacher", "principal"}, lambda cast, extra: _at_post(cast, extra["pending_post"]))
        | {"student": FORBIDDEN},
        method="post",
    ),
    "blog-post-decline": Row(
        named("blog-post-decline", _class_4a, lambda cast, extra: extra["pending_post"].pk),
        only({"teacher", "principal"}, lambda cast, extra: _at_post(cast, extra["pending_post"]))
        | {"student": FORBIDDEN},
        method="post",
    ),
    "blog-post-pin": Row(
        named("blog-post-pin", _class_4a, lambda cast, extra: extra["blog_post"].pk),
        only(PAGE_MEMBERS, FORBIDDEN)
        | {
            role: (lambda cast, extra: _at_post(cast, extra["blog_post"]))
            for role in ("teacher", "principal")
        },
        method="post",
    ),
    # Only the author changes a post (the teacher wrote extra's published one).
    "blog-post-edit": Row(
        named("blog-post-edit", _class_4a, lambda cast, extra: extra["blog_post"].pk),
        only(PAGE_MEMBERS, FORBIDDEN) | {"teacher": OK},
    ),
    # Sent without a reason: refused, back at the post with the reason why.
    "blog-post-remove": Row(
        named("blog-post-remove", _class_4a, lambda cast, extra: extra["blog_post"].pk),
        only(PAGE_MEMBERS, FORBIDDEN)
        | {
            role: (lambda cast, extra: _at_post(cast, extra["blog_post"]))
            for role in ("teacher", "principal")
        },
        method="post",
    ),
    "blog-comment-new": Row(
        named("blog-comment-new", _class_4a, lambda cast, extra: extra["blog_post"].pk),
        only(PAGE_MEMBERS, FORBIDDEN) | {role: BAD_REQUEST for role in ("student", "teacher", "principal")},
        method="post",
    ),
    "blog-comment-hide": Row(
        named(
            "blog-comment-hide",
            _class_4a,
            lambda cast, extra: extra["blog_post"].pk,
            lambda cast, extra: extra["blog_comment"].pk,
        ),
        only(PAGE_MEMBERS, FORBIDDEN)
        | {
            role: (lambda cast, extra: _at_post(cast, extra["blog_post"]))
            for role in ("teacher", "principal")
        },
        method="post",
    ),
    "blog-settings": Row(
        named("blog-settings", _class_4a),
        only(PAGE_MEMBERS, FORBIDDEN)
        | {
            role: (lambda cast, extra: Redirect(reverse("class-blog", args=[cast.class_4a.pk])))
            for role in ("teacher", "principal")
        },
        method="post",
    ),
    "blog-file": Row(
        named("blog-file", _class_4a, lambda cast, extra: extra["blog_image"].pk), only(PAGE_MEMBERS)
    ),
    # --- Personal data exports -------------------------------------------------------------
    # Everyone has "My data"; the family asks for the student's copy (everyone else is told
    # the student does not exist); only the requester (guardian_1, of extra's export) follows
    # and downloads it; the registrars' page is missing for everyone who is no registrar.
    # (REGISTRAR is the cast's registrar of school 1 once the archive's cast has one.)
    "my-data": Row(named("my-data"), everyone(OK)),
    "export-request": Row(
        named("export-request"),
        only({"student", "guardian_1", "guardian_2"} | REGISTRAR, lambda cast, extra: _at_new_export(cast)),
        method="post",
        data=lambda cast, extra: {"scope": "student", "subject": str(cast.student.pk)},
    ),
    "export-status": Row(named("export-status", _export_id), only({"guardian_1"})),
    "export-download": Row(named("export-download", _export_id), only({"guardian_1"})),
    "registrar-exports": Row(named("registrar-exports"), only(REGISTRAR)),
    # --- Requests for public records -------------------------------------------------------
    # The registrar and the principal register and handle the requests of their school's
    # students (and of those who left it): Söderskolan's principal has her own, empty, list
    # and form, and nothing of Norrskolan's requests. Nobody else has any of it. The forms
    # that would change a request are sent incomplete (the handlers get the review back with
    # the reason, 400), except removing a masking and recording the delivery: the principal
    # does it first, and the registrar is sent back to the same place, told it was done.
    "releases": Row(named("releases"), only(RELEASE_HANDLERS | {"other_principal"})),
    "release-new": Row(named("release-new"), only(RELEASE_HANDLERS | {"other_principal"})),
    "release": Row(named("release", _release_id), only(RELEASE_HANDLERS)),
    "release@archive": Row(named("release", _archive_release_id), only(RELEASE_HANDLERS)),
    "release-preview": Row(named("release-preview", _release_id), only(RELEASE_HANDLERS)),
    "release-mask": Row(
        named("release-mask", _release_id),
        only(RELEASE_HANDLERS, BAD_REQUEST),
        method="post",
        data=lambda cast, extra: {
            "form": "whole",
            "document": "message",
            "document_id": str(extra["message"].pk),
            "reason": "Ingen grund vald",
        },
    ),
    "release-unmask": Row(
        named("release-unmask", _release_id, lambda cast, extra: extra["release_masking"].pk),
        only(
            RELEASE_HANDLERS,
            lambda cast, extra: Redirect(reverse("release", args=[_release_id(cast, extra)])),
        ),
        method="post",
    ),
    "release-decide": Row(
        named("release-decide", _release_id), only(RELEASE_HANDLERS, BAD_REQUEST), method="post"
    ),
    "release-delivered": Row(
        named("release-delivered", _decided_release_id),
        only(
            RELEASE_HANDLERS,
            lambda cast, extra: Redirect(
                reverse("release", args=[_decided_release_id(cast, extra)]) + "#decision"
            ),
        ),
        method="post",
    ),
    "release-file": Row(
        named("release-file", _decided_release_id, lambda cast, extra: "copy.pdf"), only(RELEASE_HANDLERS)
    ),
    # --- The student register (issue 17) ----------------------------------------------------
    # The school's administrators and the operators (who administer every school); everyone
    # else meets a missing page. Asking for a run goes back to the page, saying it was queued
    # or why not (here no register is configured).
    "register": Row(named("register", lambda cast, extra: cast.school.pk), only(ADMINS)),
    "register-run": Row(
        named(
            "register-run", lambda cast, extra: cast.school.pk, lambda cast, extra: extra["register_run"].pk
        ),
        only(ADMINS),
    ),
    "register-sync": Row(
        named("register-sync", lambda cast, extra: cast.school.pk),
        only(ADMINS, lambda cast, extra: Redirect(reverse("register", args=[cast.school.pk]))),
        method="post",
        data={"dry_run": "1"},
    ),
    # --- School administration -------------------------------------------------------------
    "admin:index": Row(named("admin:index"), only(ADMINS, OK, FORBIDDEN)),
    "admin:login": Row(
        named("admin:login"),
        only(
            ADMINS,
            Redirect("admin:index"),
            FORBIDDEN,
        )
        | {"anonymous": LOGIN},
    ),
    "admin:logout": Row(named("admin:logout"), only(ADMINS, LOGIN, FORBIDDEN), method="post"),
    "admin:password_change": Row(
        named("admin:password_change"), only(ADMINS, Redirect("password-change"), FORBIDDEN)
    ),
    "admin:password_change_done": Row(
        named("admin:password_change_done"), only(ADMINS, Redirect("account"), FORBIDDEN)
    ),
    "admin:jsi18n": Row(named("admin:jsi18n"), only(ADMINS, OK, FORBIDDEN)),
    "admin:app_list": Row(fixed("/admin/accounts/"), only(ADMINS, OK, FORBIDDEN)),
    "admin:autocomplete": Row(
        fixed("/admin/autocomplete/?app_label=accounts&model_name=guardianship&field_name=student&term=an"),
        only(ADMINS, OK, FORBIDDEN),
    ),
    # No model has a public page: "view on site" finds nothing to show.
    "admin:view_on_site": Row(
        lambda cast, extra: reverse(
            "admin:view_on_site", args=[ContentType.objects.get_for_model(User).pk, cast.student.pk]
        ),
        only(ADMINS, NOT_FOUND, FORBIDDEN),
    ),
    "admin:accounts_user_password": Row(
        named("admin:accounts_user_password", lambda cast, extra: cast.student.pk),
        only(ADMINS, OK, FORBIDDEN),
    ),
    # Recording a student's leaving (the form), and undoing one: Anna has none to undo.
    "admin:accounts_user_leaving": Row(
        named("admin:accounts_user_leaving", lambda cast, extra: cast.student.pk), only(ADMINS, OK, FORBIDDEN)
    ),
    "admin:accounts_user_leaving_undo": Row(
        named("admin:accounts_user_leaving_undo", lambda cast, extra: cast.student.pk),
        only(ADMINS, NOT_FOUND, FORBIDDEN),
        method="post",
    ),
    **admin_model_rows(
        "user", lambda cast, extra: cast.student.pk, viewers=ADMINS, adders=ADMINS, changers=ADMINS
    ),
    **admin_model_rows(
        "schoolclass", lambda cast, extra: cast.class_4a.pk, viewers=ADMINS, adders=ADMINS, changers=ADMINS
    ),
    **admin_model_rows(
        "term", lambda cast, extra: extra["term"].pk, viewers=ADMINS, adders=ADMINS, changers=ADMINS
    ),
    **admin_model_rows(
        "school", lambda cast, extra: cast.school.pk, viewers=ADMINS, adders={"operator"}, changers=ADMINS
    ),
    **admin_model_rows(
        "schoolyear", lambda cast, extra: extra["year"].pk, viewers=ADMINS, adders=set(), changers=ADMINS
    ),
    **admin_model_rows(
        "subject", lambda cast, extra: cast.maths.pk, viewers=ADMINS, adders=set(), changers=ADMINS
    ),
    **admin_model_rows(
        "loginattempt",
        lambda cast, extra: extra["attempt"].pk,
        viewers={"operator"},
        adders=set(),
        changers={"operator"},
    ),
    # The retention rules are the municipality's: operators only.
    **admin_model_rows(
        "retentionrule",
        lambda cast, extra: RetentionRule.objects.filter(applies_to="student_records").values_list(
            "pk", flat=True
        )[0],
        viewers={"operator"},
        adders=set(),
        changers={"operator"},
        app="records",
    ),
    # So are the grounds for secrecy a masking cites.
    **admin_model_rows(
        "secrecyground",
        lambda cast, extra: SecrecyGround.objects.filter(provision="23 kap. 2 §").values_list(
            "pk", flat=True
        )[0],
        viewers={"operator"},
        adders={"operator"},
        changers={"operator"},
        app="records",
    ),
}


def _at_new_export(cast: Cast) -> Redirect:
    """Back to "My data" at the export just asked for (the requester's newest)."""
    export = DataExport.objects.filter(subject=cast.student).latest("pk")
    return Redirect(reverse("my-data") + f"#export-{export.pk}")


def _export_objects(cast: Cast) -> dict[str, Any]:
    """guardian_1's export of the student, built. Beside a running server (the layout
    check) the server's worker may be building it; it is waited for, up to twenty seconds."""
    export = request_export(cast.guardian_1, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk)
    for _attempt in range(200):
        run_exports()
        export.refresh_from_db()
        if export.status == DataExport.Status.READY:
            return {"export": export}
        time.sleep(0.1)
    raise AssertionError("the export was not built")


def _at_post(cast: Cast, post: Any) -> Redirect:
    return Redirect(reverse("class-blog", args=[cast.class_4a.pk]) + f"#post-{post.pk}")


def _blog_objects(cast: Cast) -> dict[str, Any]:
    """4A's blog (students may write; comments from students and teachers): a published
    post by the teacher with an image and a student's comment, and a student's pending post."""
    change_settings(cast.teacher, cast.class_4a, student_posts=True, comments=ClassBlog.Comments.CLASS)
    image = upload_file(cast.teacher, cast.class_4a, name="utflykt.png", data=png_bytes())
    post = write_post(
        cast.teacher,
        cast.class_4a,
        title="Utflykt",
        body="Vi var vid älven.",
        client_id=uuid.uuid4(),
        files=[FileChoice(image.pk, alt_text="Klassen vid älven")],
    )
    comment = write_comment(cast.student, post, body="Det var kul!", client_id=uuid.uuid4())
    pending = write_post(
        cast.student, cast.class_4a, title="Min hund", body="Han heter Sixten.", client_id=uuid.uuid4()
    )
    return {"blog_post": post, "blog_image": image, "blog_comment": comment, "pending_post": pending}


def _at_goal(cast: Cast, goal: Any) -> Redirect:
    return Redirect(reverse("goals", args=[cast.student.pk]) + f"#goal-{goal.pk}")


def _flow(cast: Cast, anchor: str = "") -> str:
    return reverse("assessment-flow", args=[cast.class_4a.pk, cast.maths.pk]) + anchor


def _named_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> list[str]:
    """Every URL name of the site, with namespaces (admin:...). Unnamed patterns are listed
    by their full route ('<unnamed> admin/...') so that they need a row too."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = f"{prefix}{pattern.pattern}"
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _named_patterns(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed> {route}")
    return names


def test_every_url_has_a_row_and_every_row_a_url() -> None:
    urls = set(_named_patterns())
    rows = {name.split("@")[0] for name in ROWS}  # "student@archive": the student page, archived
    assert urls - rows == set(), "URLs without a row in the access matrix"
    assert rows - urls == set(), "rows for URLs that no longer exist"


def test_every_row_has_an_outcome_for_every_role() -> None:
    for name, row in ROWS.items():
        assert set(row.expect) == set(ROLES), name


@pytest.fixture(scope="class")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Cast, dict[str, Any]]]:
    """The cast and the rows' objects, built once for all rows: in an outer transaction that
    each row's own test transaction nests in as a savepoint (as Django's ``setUpTestData``),
    so whatever a row changes is rolled back before the next row, and the whole is rolled
    back after the last. Building them per row took about 1.5 s of each of ~190 rows."""
    from tests.support.cast import build_cast

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = build_cast()
            yield cast, matrix_extra(cast)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def matrix_extra(cast: Cast) -> dict[str, Any]:
    """The objects the rows' URLs name, made through the real actions (also used by the
    browser's layout check, beside the demo school: hence no bare ``.get()`` of a table)."""
    year = cast.class_4a.school_year
    term = create_term(
        SYSTEM,
        cast.school,
        year,
        kind=Term.Kind.AUTUMN,
        starts_on=year.starts_on,
        ends_on=year.starts_on.replace(month=12, day=20),
    )
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.1")
    authenticate_with_password(request, "nobody", "wrong password")
    objects = {
        "year": year,
        "term": term,
        "attempt": LoginAttempt.objects.filter(username="nobody").latest("pk"),
        **dialogue_objects(cast),
        **assessment_objects(cast),
        **talk_objects(cast),
        **action_programme_objects(cast),
        **goal_objects(cast),
        **_blog_objects(cast),
        **_notification_objects(cast),
        **access_log_objects(cast),
        **_archive_objects(cast),
        **_export_objects(cast),
        # --- Private threads (issue 16) ---
        **_private_thread_objects(cast),
        # --- Special support (issue 16) ---
        **support_objects(cast),
        # --- The student register (issue 17) ---
        **register_objects(cast),
    }
    return objects | release_objects(cast, objects)


def _private_thread_objects(cast: Cast) -> dict[str, Any]:
    """guardian_1's thread with the school (issue 16) and its first message."""
    thread, message = start_private_thread(
        cast.guardian_1,
        cast.student,
        audience=policy.ONE_GUARDIAN,
        title="Hämtning",
        body="Bara till skolan.",
        client_id=uuid.uuid4(),
    )
    return {"private_thread": thread, "private_message": message}


def _archive_objects(cast: Cast) -> dict[str, Any]:
    """The left student's page (an archive), its general thread and her message."""
    page = StudentPage.objects.get(student=cast.left_student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    return {"left_page": page, "left_thread": thread, "left_message": page.messages.latest("pk")}


def _notification_objects(cast: Cast) -> dict[str, Any]:
    """guardian_1's notification of the published assessment, and guardian_1's device."""
    fan_out_waiting()
    device = subscribe_push(
        cast.guardian_1,
        endpoint="https://push.example.org/send/guardian",
        p256dh=P256DH,
        auth="Q2BoAjC09xH3ywDLNJr-dA",
    )
    return {"notification": _delivered(cast.guardian_1, "assessment.published"), "device": device}


def _delivered(recipient: User, kind: str) -> Notification:
    """The recipient's notification of that kind. Beside a running server (the browser
    tests' layout check) the server's own worker may have claimed the event first and not
    yet committed; it is waited for, up to ten seconds."""
    for _attempt in range(100):
        notification = Notification.objects.filter(recipient=recipient, kind=kind).first()
        if notification is not None:
            return notification
        time.sleep(0.1)
        fan_out_waiting()
    raise AssertionError(f"no {kind} notification was delivered")


def _outcome(response: Any, url: str) -> Outcome:
    if response.status_code in (301, 302):
        location = response["Location"].split("?")[0]
        for candidate in ("login", "start", "account", "password-change", "admin:index"):
            if location == reverse(candidate):
                return Redirect(candidate)
        object_id = url.rstrip("/").rsplit("/", 1)[-1]
        return Redirect(location.replace(f"/{object_id}/", "/{id}/"))
    return int(response.status_code)


# The only URLs whose responses may be cached: the same for everyone, naming nobody. Every
# other response, to every role (a page, a redirect, a refusal, an error page, a download, the
# admin), must carry Cache-Control: no-store, so that nothing about a child stays in the
# browser cache of a shared computer or in a proxy.
PUBLIC_ASSETS = {"service-worker", "web-manifest"}


def _no_store(response: Any) -> bool:
    directives = response.get("Cache-Control", "")
    return "no-store" in {part.split("=")[0].strip().lower() for part in directives.split(",")}


class TestAccess:
    @pytest.mark.parametrize("name", sorted(ROWS))
    def test_access(self, name: str, world: tuple[Cast, dict[str, Any]], db: None) -> None:
        _check_row(name, *world)


def _check_row(name: str, cast: Cast, extra: dict[str, Any]) -> None:
    row = ROWS[name]
    url = row.url(cast, extra)
    failures = []
    for role in ROLES:
        client = verified_client(cast.person(role))
        data = row.data(cast, extra) if callable(row.data) else row.data
        response = getattr(client, row.method)(url, data)
        actual = _outcome(response, url)
        expected = row.expect[role]
        if callable(expected):
            expected = expected(cast, extra)
        if actual != expected:
            failures.append(f"{role}: expected {expected}, got {actual}")
        if name not in PUBLIC_ASSETS and not _no_store(response):
            failures.append(
                f"{role}: {response.status_code} with Cache-Control {response.get('Cache-Control')!r}, "
                "not no-store: a cache may keep it"
            )
    assert not failures, f"{row.method.upper()} {url}\n" + "\n".join(failures)


# --- The live socket: every action x every role -----------------------------------------------
#
# Outcomes: "refused" (the socket is closed at once), the type of the answer frame
# ("subscribed", "ack", "pong", "guard", "unread"), "error:<code>", or "quiet" (no answer,
# which is right for typing). A person who may not read the page cannot subscribe to it,
# and every page action needs a subscription first ("error:not_subscribed").

NOT_SUBSCRIBED = "error:not_subscribed"


def socket_row(
    members: str,
    *,
    author: str | None = None,
    principal: str | None = None,
    other_members: str | None = None,
    everyone_else: str = NOT_SUBSCRIBED,
) -> dict[str, str]:
    """``members`` for PAGE_MEMBERS unless the author/principal/other members differ."""
    table = {role: everyone_else for role in ROLES}
    for role in PAGE_MEMBERS:
        table[role] = other_members if other_members is not None else members
    if author is not None:
        table["guardian_1"] = author  # the author of extra["message"]
    if principal is not None:
        table["principal"] = principal
    table["anonymous"] = "refused"
    return table


SOCKET_ROWS: dict[str, dict[str, str]] = {
    "connect": {role: ("refused" if role == "anonymous" else "connected") for role in ROLES},
    "subscribe": socket_row("subscribed", everyone_else="error:not_found"),
    "send": socket_row("ack"),
    "edit": socket_row("error:forbidden", author="ack"),
    "retract": socket_row("error:forbidden", author="ack", principal="ack"),
    "read": socket_row("unread"),
    "unread": socket_row("unread"),
    "typing": socket_row("quiet"),
    "check": {role: ("refused" if role == "anonymous" else "guard") for role in ROLES},
    "ping": {role: ("refused" if role == "anonymous" else "pong") for role in ROLES},
    # The class blog: its readers (4A's page members) follow it; everyone else is told it
    # does not exist.
    "blog_subscribe": socket_row("blog_subscribed", everyone_else="error:not_found"),
    # --- Private threads (issue 16) ---
    # In guardian_1's thread with the school, guardian_2 and the student meet a thread that
    # does not exist; typing announces nothing to them (tests/dialogue/test_private_threads_live.py).
    "send@private": socket_row("error:unknown_thread") | dict.fromkeys(PRIVATE_READERS, "ack"),
    "read@private": socket_row("error:unknown_thread") | dict.fromkeys(PRIVATE_READERS, "unread"),
    "typing@private": socket_row("quiet"),
}


def test_every_socket_action_has_a_row() -> None:
    from frontend.consumer import LiveConsumer

    assert set(LiveConsumer.handlers) | {"connect"} == {action.split("@")[0] for action in SOCKET_ROWS}
    for action, row in SOCKET_ROWS.items():
        assert set(row) == set(ROLES), action


def _frame(action: str, extra: dict[str, Any]) -> dict[str, Any]:
    page, thread, message = extra["page"].pk, extra["thread"].pk, extra["message"].pk
    if action.endswith("@private"):  # the same frame, in guardian_1's thread with the school
        action, thread = action.split("@")[0], extra["private_thread"].pk
    return {
        "subscribe": {"type": "subscribe", "page": page},
        "send": {
            "type": "send",
            "page": page,
            "thread": thread,
            "client_id": str(uuid.uuid4()),
            "body": "Hej!",
        },
        "edit": {"type": "edit", "page": page, "message": message, "body": "Ändrad text.", "ref": "e"},
        "retract": {"type": "retract", "page": page, "message": message, "ref": "r"},
        "read": {"type": "read", "page": page, "thread": thread, "seq": 1},
        "unread": {"type": "unread", "page": page},
        "typing": {"type": "typing", "page": page, "thread": thread},
        "check": {"type": "check", "body": "Han är lat.", "ref": "c"},
        "ping": {"type": "ping"},
        "blog_subscribe": {"type": "blog_subscribe", "blog": extra["class_4a"], "after": 0},
    }[action]


async def _socket_outcome(user: Any, action: str, extra: dict[str, Any]) -> str:
    communicator, connected, _code = await open_socket(user)
    try:
        if not connected:
            return "refused"
        if action == "connect":
            return "connected"
        if action not in ("subscribe", "check", "ping", "blog_subscribe"):
            await socket_send(communicator, {"type": "subscribe", "page": extra["page"].pk})
            await socket_receive(communicator)  # subscribed, or not_found
        await socket_send(communicator, _frame(action, extra))
        # (receive_nothing waits without cancelling the consumer, as a timed-out receive would)
        if await communicator.receive_nothing(timeout=1.0):
            return "quiet"
        frame = await socket_receive(communicator)
        while frame["type"] == "message":
            # The page's live frame of the change reaches the sender's socket too, before or
            # after the answer (the browser takes either order): the answer is what follows.
            frame = await socket_receive(communicator)
        return f"error:{frame['code']}" if frame["type"] == "error" else frame["type"]
    finally:
        await communicator.disconnect()


# Async tests write from the ORM's own thread, outside a test transaction, so the database
# is flushed after each; serialized_rollback brings back the data migrations' subjects.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("action", sorted(SOCKET_ROWS))
async def test_socket_access(action: str) -> None:
    cast, extra = await database_sync_to_async(_cast_with_dialogue)()
    failures = []
    for role in ROLES:
        actual = await _socket_outcome(cast.person(role), action, extra)
        if actual != SOCKET_ROWS[action][role]:
            failures.append(f"{role}: expected {SOCKET_ROWS[action][role]}, got {actual}")
    assert not failures, f"socket action {action}\n" + "\n".join(failures)


def _cast_with_dialogue() -> tuple[Cast, dict[str, Any]]:
    from tests.support.cast import build_cast

    cast = build_cast()
    return cast, dialogue_objects(cast) | {"class_4a": cast.class_4a.pk} | _private_thread_objects(cast)
