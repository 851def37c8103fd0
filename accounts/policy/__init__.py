"""THE access policy: who may see and do what. Every rule of DOMAIN.md lives here.

HTTP views, WebSocket consumers, the admin and the notification fan-out all ask this
package; none re-implements a rule. Its helpers:

* ``relation_to_student(user, student)`` and ``relation_to_class(user, class)`` say in one
  query how a user stands to a student or a class; every rule is a property of the relation
  (``relation.may_set_goals``), so a door that computed it once answers every question;
* ``visible_<nouns>(user)`` returns a queryset of everything of that kind the user may see;
* ``access_<noun>(user, id)`` fetches one object or raises the same ``NotFound`` whether it
  is missing or forbidden, so nobody can probe which ids exist (a student's records are
  opened through ``dialogue.doors``, a class blog through ``classblog.doors``);
* ``readers_of_<noun>(obj)`` and ``roles_<...>`` are the inverse: everyone who may read it
  (fan-out recipients).

Access depends on dated memberships in force *today* (``timezone.localdate()``, Swedish time):
a teacher whose assignment ends loses access from its end date; a withdrawn guardian from
the day of withdrawal. Inactive accounts have no access at all. Superusers run the platform
and administer schools, but are not members of any student's page.

By role: ``students`` (the student's page), ``threads`` (who reads each thread of it),
``classes`` (rosters, talk times, the assessment flow), ``blogs`` (the class blog),
``schools`` (principals, administrators, one-time passwords), ``identities`` (protected
names and civic numbers), on the building blocks of ``base``.
"""

import datetime

from accounts.policy import base
from accounts.policy.base import GUARDIAN, PRINCIPAL, REGISTRAR, STUDENT, TEACHER, AnyUser, ward_ids
from accounts.policy.blogs import (
    NO_CLASS_RELATION,
    BlogRights,
    BlogSettings,
    ClassRelation,
    class_blog_is_archived,
    class_blog_rights,
    readers_of_class_blog,
    relation_to_class,
    roles_in_class_blog,
    visible_class_blogs,
)
from accounts.policy.classes import (
    access_assessment_flow,
    access_class_roster,
    assessed_subjects,
    can_manage_talk_slots,
    visible_class_rosters,
)
from accounts.policy.identities import (
    GUARDIAN_LABEL,
    STUDENT_LABEL,
    HiddenNames,
    civic_numbers_visible_to,
    may_see_civic_number,
    may_see_name,
    name_hidden_from_viewers,
    names_hidden_from,
    shown_name,
)
from accounts.policy.schools import (
    access_led_school,
    administered_people,
    administered_schools,
    archive_keeper_schools,
    can_administer_school,
    can_review_access_log,
    can_review_flagged_texts,
    can_set_retention_rules,
    can_set_secrecy_grounds,
    led_schools,
    requires_otp,
    staff_filter,
)
from accounts.policy.students import (
    NO_RELATION,
    StudentRelation,
    readers_of_student_page,
    relation_to_student,
    relations_to_students,
    roles_on_student_page,
    visible_students,
)
from accounts.policy.threads import (
    ADULTS,
    AUDIENCES,
    EVERYONE,
    ONE_GUARDIAN,
    is_private,
    is_staff_reader,
    may_read_thread,
    may_start_private_thread,
    readable_threads_q,
    thread_audience,
)


def today() -> datetime.date:
    """The policy's one clock (``base.today``), for everyone who asks what day it is."""
    return base.today()


__all__ = [
    "ADULTS",
    "AUDIENCES",
    "EVERYONE",
    "GUARDIAN",
    "GUARDIAN_LABEL",
    "NO_CLASS_RELATION",
    "NO_RELATION",
    "ONE_GUARDIAN",
    "PRINCIPAL",
    "REGISTRAR",
    "STUDENT",
    "STUDENT_LABEL",
    "TEACHER",
    "AnyUser",
    "BlogRights",
    "BlogSettings",
    "ClassRelation",
    "HiddenNames",
    "StudentRelation",
    "access_assessment_flow",
    "access_class_roster",
    "access_led_school",
    "administered_people",
    "administered_schools",
    "archive_keeper_schools",
    "assessed_subjects",
    "can_administer_school",
    "can_manage_talk_slots",
    "can_review_access_log",
    "can_review_flagged_texts",
    "can_set_retention_rules",
    "can_set_secrecy_grounds",
    "civic_numbers_visible_to",
    "class_blog_is_archived",
    "class_blog_rights",
    "is_private",
    "is_staff_reader",
    "led_schools",
    "may_read_thread",
    "may_see_civic_number",
    "may_see_name",
    "may_start_private_thread",
    "name_hidden_from_viewers",
    "names_hidden_from",
    "readable_threads_q",
    "readers_of_class_blog",
    "readers_of_student_page",
    "relation_to_class",
    "relation_to_student",
    "relations_to_students",
    "requires_otp",
    "roles_in_class_blog",
    "roles_on_student_page",
    "shown_name",
    "staff_filter",
    "thread_audience",
    "today",
    "visible_class_blogs",
    "visible_class_rosters",
    "visible_students",
    "ward_ids",
]
