"""The accounts app's kinds in the register of what is held (``accounts.held``): the account,
its memberships and leaving, its one-time-password devices, its login attempts and the
administration's log of changes.

Kept apart from the register itself, which every app imports before the models are ready.
"""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.held import ID, HeldKind, columns, declare, delete_with_collector, name_of
from accounts.models import (
    Enrolment,
    Guardianship,
    Leaving,
    LoginAttempt,
    Mentorship,
    SchoolAccountName,
    StaffRole,
    TeachingAssignment,
    User,
)

DATED = {
    "starts_on": "The first day it applies (YYYY-MM-DD).",
    "ends_on": "The first day it no longer applies; null while it lasts.",
    "end_reason": "Why it was ended, as the school wrote it.",
    "created_at": "When it was recorded (ISO 8601 with time zone).",
}
CLASS = {
    "school": "The school.",
    "school_year": "The school year, such as 2026/27.",
    "class_name": "The class, such as 4A.",
}
CLASS_COLUMNS = {
    "school": lambda row: row.school_class.school.name,
    "school_year": lambda row: row.school_class.school_year.label,
    "class_name": lambda row: row.school_class.name,
}
CLASS_RELATED = ("school_class__school", "school_class__school_year")

# --- the account --------------------------------------------------------------------------

USER_FIELDS = {
    **ID,
    "username": "The name used to log in.",
    "first_name": "First name.",
    "last_name": "Last name.",
    "email": "E-mail address (empty when none is held).",
    "language": "The language Elevdialog is shown in (sv or en).",
    "is_active": "Whether the account may log in.",
    "date_joined": "When the account was created.",
    "last_login": "The last time the person logged in; null if never.",
}


def _account(user_id: int) -> QuerySet[User]:
    return User.objects.filter(pk=user_id)


# The account is the person: the purge removes it last, after every other kind of the person,
# with Django's collector, so references that only record who did something (``created_by``
# of a membership, ``recorded_by`` of a leaving) are set to NULL and a reference that still
# protects a row stops the removal instead of leaving a dangling id. The password hash, the
# session generation and the permission flags are not exported: they are about the system,
# not the person, and a hash is no use to anyone but an attacker.
USER = HeldKind(
    name="accounts.user",
    model=User,
    label=_("Account"),
    fields=USER_FIELDS,
    export=columns(USER_FIELDS),
    of_person=_account,
    remove=delete_with_collector,
)

# --- memberships ---------------------------------------------------------------------------

ENROLMENT_FIELDS = {**ID, **CLASS, **DATED}


def _enrolments(student_id: int) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(student_id=student_id)


ENROLMENT = HeldKind(
    name="accounts.enrolment",
    model=Enrolment,
    label=_("Enrolments in classes"),
    fields=ENROLMENT_FIELDS,
    export=columns(ENROLMENT_FIELDS, **CLASS_COLUMNS),
    # The same rows in the record and about the person: a student's own enrolments.
    of_student=_enrolments,
    of_person=_enrolments,
    related=CLASS_RELATED,
)

GUARDIANSHIP_FIELDS = {
    **ID,
    "guardian": "The guardian's name.",
    "student": "The student's name.",
    **DATED,
}
GUARDIANSHIP = HeldKind(
    name="accounts.guardianship",
    model=Guardianship,
    label=_("Guardianships"),
    fields=GUARDIANSHIP_FIELDS,
    export=columns(
        GUARDIANSHIP_FIELDS,
        guardian=lambda row: name_of(row.guardian),
        student=lambda row: name_of(row.student),
    ),
    # The student's guardians belong to the student's record; a guardian's own
    # guardianships (naming their own children) are about the guardian.
    of_student=lambda student_id: Guardianship.objects.filter(student_id=student_id),
    of_person=lambda user_id: Guardianship.objects.filter(Q(guardian_id=user_id) | Q(student_id=user_id)),
    related=("guardian", "student"),
)

TEACHING_FIELDS = {**ID, **CLASS, "subject": "The subject taught.", **DATED}
TEACHING = HeldKind(
    name="accounts.teachingassignment",
    model=TeachingAssignment,
    label=_("Teaching assignments"),
    fields=TEACHING_FIELDS,
    export=columns(TEACHING_FIELDS, subject=lambda row: row.subject.name, **CLASS_COLUMNS),
    of_person=lambda user_id: TeachingAssignment.objects.filter(teacher_id=user_id),
    related=(*CLASS_RELATED, "subject"),
)

MENTORSHIP_FIELDS = {**ID, **CLASS, **DATED}
MENTORSHIP = HeldKind(
    name="accounts.mentorship",
    model=Mentorship,
    label=_("Mentorships"),
    fields=MENTORSHIP_FIELDS,
    export=columns(MENTORSHIP_FIELDS, **CLASS_COLUMNS),
    of_person=lambda user_id: Mentorship.objects.filter(teacher_id=user_id),
    related=CLASS_RELATED,
)

STAFF_ROLE_FIELDS = {
    **ID,
    "school": "The school.",
    "role": "principal, school_admin or registrar.",
    **DATED,
}
STAFF_ROLE = HeldKind(
    name="accounts.staffrole",
    model=StaffRole,
    label=_("Staff roles"),
    fields=STAFF_ROLE_FIELDS,
    export=columns(STAFF_ROLE_FIELDS, school=lambda row: row.school.name),
    of_person=lambda user_id: StaffRole.objects.filter(user_id=user_id),
    related=("school",),
)

LEAVING_FIELDS = {
    **ID,
    "left_on": "The first day the student was no longer at school (YYYY-MM-DD).",
    "reason": "finished (year 9), moved_municipality, moved_abroad or other.",
    "note": "The school's note.",
    "recorded_at": "When the leaving was recorded.",
    "undone_at": "When a leaving recorded by mistake was undone; null if it stands.",
}


def _leavings(student_id: int) -> QuerySet[Leaving]:
    return Leaving.objects.filter(student_id=student_id)


# Who recorded or undid it is an administrator acting for the school: not exported, and set
# to NULL if that account is ever removed (the fields are nullable for that reason).
LEAVING = HeldKind(
    name="accounts.leaving",
    model=Leaving,
    label=_("Leaving school"),
    fields=LEAVING_FIELDS,
    export=columns(LEAVING_FIELDS),
    of_student=_leavings,
    of_person=_leavings,
)

# --- identity ----------------------------------------------------------------------------

SCHOOL_ACCOUNT_FIELDS = {
    **ID,
    "name": "The person's account in the school federation (eduPersonPrincipalName).",
}
# From the student register: how a school-account login finds the person. Removed with them.
SCHOOL_ACCOUNT_NAME = HeldKind(
    name="accounts.schoolaccountname",
    model=SchoolAccountName,
    label=_("School accounts"),
    fields=SCHOOL_ACCOUNT_FIELDS,
    export=columns(SCHOOL_ACCOUNT_FIELDS),
    of_person=lambda user_id: SchoolAccountName.objects.filter(user_id=user_id),
)

# --- login -----------------------------------------------------------------------------

DEVICE_FIELDS = {
    **ID,
    "name": "The device's name.",
    "confirmed": "Whether its setup was confirmed with a code.",
    "created_at": "When it was set up; null for devices older than that record.",
    "last_used_at": "When a code from it was last accepted; null if never.",
}
# The secret key and the recovery codes themselves are never exported: the export is a file
# that travels, and a key in it would be a second way in.
TOTP_DEVICE = HeldKind(
    name="otp_totp.totpdevice",
    model=TOTPDevice,
    label=_("Authenticator apps for one-time codes"),
    fields=DEVICE_FIELDS,
    export=columns(DEVICE_FIELDS),
    of_person=lambda user_id: TOTPDevice.objects.filter(user_id=user_id),
)
STATIC_DEVICE = HeldKind(
    name="otp_static.staticdevice",
    model=StaticDevice,
    label=_("Sets of recovery codes"),
    fields=DEVICE_FIELDS,
    export=columns(DEVICE_FIELDS),
    of_person=lambda user_id: StaticDevice.objects.filter(user_id=user_id),
)
STATIC_TOKEN_FIELDS = {
    **ID,
    "device": "The number of the set of recovery codes it belongs to (the code itself is not exported).",
}
STATIC_TOKEN = HeldKind(
    name="otp_static.statictoken",
    model=StaticToken,
    label=_("Unused recovery codes"),
    fields=STATIC_TOKEN_FIELDS,
    export=columns(STATIC_TOKEN_FIELDS, device=lambda row: row.device_id),
    of_person=lambda user_id: StaticToken.objects.filter(device__user_id=user_id),
)

LOGIN_ATTEMPT_FIELDS = {
    **ID,
    "at": "When the password was tried.",
    "address": "The network address it came from.",
    "succeeded": "Whether the password was right.",
}
# Login attempts name the person by the username typed, not by a reference (attempts for
# names that do not exist are kept too, so throttling never tells which names are real).
LOGIN_ATTEMPT = HeldKind(
    name="accounts.loginattempt",
    model=LoginAttempt,
    label=_("Login attempts"),
    fields=LOGIN_ATTEMPT_FIELDS,
    export=columns(LOGIN_ATTEMPT_FIELDS),
    of_person=lambda user_id: LoginAttempt.objects.filter(
        username__in=User.objects.filter(pk=user_id).values("username")
    ),
)

# --- the administration's log -------------------------------------------------------------

LOG_ENTRY_FIELDS = {
    **ID,
    "action_time": "When the change was made in the school administration.",
    "action": "1 added, 2 changed, 3 deleted.",
    "model": "What kind of record was changed (app_label.model).",
    "object_id": "The number of the record changed.",
    "by": "Who made the change.",
}


def _log_about_account(student_id: int) -> QuerySet[LogEntry]:
    # Changes of a person's memberships are made in the person's form (inlines), so they
    # are logged on the account: these rows are every entry about the student.
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(student_id)
    )


# Django's admin keeps a log of the changes made through it. Its entries about the student's
# account are in the student's record (they name the student in ``object_repr``); an
# administrator's own entries are about the administrator. ``object_repr`` and
# ``change_message`` are never exported: in an administrator's own entries they name the
# students whose records were changed.
LOG_ENTRY = HeldKind(
    name="admin.logentry",
    model=LogEntry,
    label=_("Changes made in the school administration"),
    fields=LOG_ENTRY_FIELDS,
    export=columns(
        LOG_ENTRY_FIELDS,
        model=lambda row: row.content_type and f"{row.content_type.app_label}.{row.content_type.model}",
        action=lambda row: row.action_flag,
        by=lambda row: name_of(row.user),
    ),
    of_student=_log_about_account,
    of_person=lambda user_id: LogEntry.objects.filter(user_id=user_id),
    related=("content_type", "user"),
)

declare(
    USER,
    ENROLMENT,
    GUARDIANSHIP,
    TEACHING,
    MENTORSHIP,
    STAFF_ROLE,
    LEAVING,
    SCHOOL_ACCOUNT_NAME,
    TOTP_DEVICE,
    STATIC_DEVICE,
    STATIC_TOKEN,
    LOGIN_ATTEMPT,
    LOG_ENTRY,
)
