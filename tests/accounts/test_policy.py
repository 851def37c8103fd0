"""Every rule of DOMAIN.md's access table, for every role of the shared cast."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.models import Enrolment, Guardianship, SchoolClass, TeachingAssignment
from classblog import doors as blog_doors
from classblog.models import ClassBlog
from dialogue import doors
from tests.support.blog import last_years_class
from tests.support.cast import ROLES, Cast

pytestmark = pytest.mark.usefixtures("module_cast")  # one cast per module (tests/conftest.py)

PAGE_MEMBERS = {"student", "guardian_1", "guardian_2", "teacher", "principal"}


def _blog_rights(
    user: policy.AnyUser,
    cast: Cast,
    *,
    student_posts: bool = False,
    comments: str = "class",
    school_class: SchoolClass | None = None,
) -> policy.BlogRights:
    """What ``user`` may do in the blog of 4A (or ``school_class``) with these settings."""
    school_class = school_class or cast.class_4a
    return policy.class_blog_rights(
        policy.relation_to_class(user, school_class),
        ClassBlog(student_posts=student_posts, comments=comments),
        archived=policy.class_blog_is_archived(school_class),
    )


# rule -> (question asked of the policy about the cast's student / class 4A, roles answered yes)
RULES: dict[str, tuple[Callable[[policy.AnyUser, Cast], bool], set[str]]] = {
    "read the page": (lambda u, c: policy.relation_to_student(u, c.student).may_read, PAGE_MEMBERS),
    "write in the dialogue": (lambda u, c: policy.relation_to_student(u, c.student).may_write, PAGE_MEMBERS),
    "set or change goals": (
        lambda u, c: policy.relation_to_student(u, c.student).may_set_goals,
        {"teacher", "principal"},
    ),
    "propose goals": (
        lambda u, c: policy.relation_to_student(u, c.student).may_propose_goals,
        {"student", "guardian_1", "guardian_2"},
    ),
    "publish a maths assessment": (
        lambda u, c: policy.relation_to_student(u, c.student).may_publish_assessment(c.maths.pk),
        {"teacher"},
    ),
    "publish an English assessment (nobody teaches it now)": (
        lambda u, c: policy.relation_to_student(u, c.student).may_publish_assessment(c.english.pk),
        set(),
    ),
    "write a self-assessment": (
        lambda u, c: policy.relation_to_student(u, c.student).may_write_self_assessment,
        {"student"},
    ),
    "draft an action programme": (
        lambda u, c: policy.relation_to_student(u, c.student).may_draft_programme,
        {"teacher", "principal"},
    ),
    "comment on an action programme": (
        lambda u, c: policy.relation_to_student(u, c.student).may_comment_on_programme,
        PAGE_MEMBERS,
    ),
    "decide an action programme": (
        lambda u, c: policy.relation_to_student(u, c.student).may_decide_programme,
        {"principal"},
    ),
    "read the class blog of 4A": (
        lambda u, c: policy.relation_to_class(u, c.class_4a).is_member,
        PAGE_MEMBERS,
    ),
    "read the class blog of 4B": (
        lambda u, c: policy.relation_to_class(u, c.class_4b).is_member,
        {"other_student", "other_guardian", "other_teacher", "principal"},
    ),
    "read the class blog of 4A (its rights)": (lambda u, c: _blog_rights(u, c).read, PAGE_MEMBERS),
    "write posts on the class blog of 4A, students allowed": (
        lambda u, c: _blog_rights(u, c, student_posts=True).write,
        {"student", "teacher", "principal"},
    ),
    "write posts on the class blog of 4A, students not allowed": (
        lambda u, c: _blog_rights(u, c, student_posts=False).write,
        {"teacher", "principal"},
    ),
    "write posts on the class blog of 4B, students allowed": (
        lambda u, c: _blog_rights(u, c, student_posts=True, school_class=c.class_4b).write,
        {"other_student", "other_teacher", "principal"},
    ),
    "write posts on the class blog of 4A that wait for approval": (
        lambda u, c: (
            _blog_rights(u, c, student_posts=True).write
            and _blog_rights(u, c, student_posts=True).needs_approval
        ),
        {"student"},
    ),
    "write posts on the class blog of 4A that are published at once": (
        lambda u, c: (
            _blog_rights(u, c, student_posts=True).write
            and not _blog_rights(u, c, student_posts=True).needs_approval
        ),
        {"teacher", "principal"},
    ),
    "moderate the class blog of 4A": (
        lambda u, c: _blog_rights(u, c, student_posts=True, comments="everyone").moderate,
        {"teacher", "principal"},
    ),
    "comment on the class blog of 4A, comments off": (
        lambda u, c: _blog_rights(u, c, student_posts=True, comments="off").comment,
        set(),
    ),
    "comment on the class blog of 4A, comments for the class": (
        lambda u, c: _blog_rights(u, c, comments="class").comment,
        {"student", "teacher", "principal"},
    ),
    "comment on the class blog of 4A, comments for everyone": (
        lambda u, c: _blog_rights(u, c, comments="everyone").comment,
        PAGE_MEMBERS,
    ),
    "see the class list of 4A": (
        lambda u, c: policy.visible_class_rosters(u).filter(pk=c.class_4a.pk).exists(),
        {"teacher", "principal"},
    ),
    "open the school overview": (
        lambda u, c: policy.led_schools(u).filter(pk=c.school.pk).exists(),
        {"principal"},
    ),
    "administer the school": (
        lambda u, c: policy.can_administer_school(u, c.school),
        {"school_admin", "operator"},
    ),
    "must use one-time passwords": (
        lambda u, c: policy.requires_otp(u),
        {"teacher", "other_teacher", "principal", "other_principal", "school_admin", "registrar", "operator"},
    ),
}


def _as_user(cast: Cast, role: str) -> policy.AnyUser:
    return cast.person(role) or AnonymousUser()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_answers_yes_for_exactly_the_right_roles(rule: str, cast: Cast) -> None:
    question, allowed = RULES[rule]
    answered_yes = {role for role in ROLES if question(_as_user(cast, role), cast)}
    assert answered_yes == allowed


def test_a_students_post_on_the_blog_waits_for_approval_but_a_teachers_does_not(cast: Cast) -> None:
    assert _blog_rights(cast.student, cast, student_posts=True).needs_approval
    assert not _blog_rights(cast.teacher, cast, student_posts=True).needs_approval
    assert not _blog_rights(cast.principal, cast, student_posts=True).needs_approval


def test_the_class_relation_says_how_each_member_belongs_to_the_class(cast: Cast) -> None:
    assert policy.relation_to_class(cast.student, cast.class_4a) == policy.ClassRelation(is_student=True)
    assert policy.relation_to_class(cast.guardian_2, cast.class_4a) == policy.ClassRelation(is_guardian=True)
    assert policy.relation_to_class(cast.teacher, cast.class_4a) == policy.ClassRelation(is_teacher=True)
    assert policy.relation_to_class(cast.principal, cast.class_4b) == policy.ClassRelation(is_principal=True)
    assert policy.relation_to_class(AnonymousUser(), cast.class_4a) == policy.NO_CLASS_RELATION
    mentor = p.create_person(SYSTEM, username="mentor.only", first_name="Mona", last_name="Mentor")
    m.assign_mentor(SYSTEM, mentor, cast.class_4b)
    assert policy.relation_to_class(mentor, cast.class_4b).is_teacher


def test_the_three_views_of_class_blog_access_agree_for_every_person_and_class(cast: Cast) -> None:
    """relation_to_class (raw SQL), visible_class_blogs and readers_of_class_blog are one
    rule seen from three sides, for this year's classes and for last year's archive."""
    archive = last_years_class(cast)
    classes = [cast.class_4a, cast.class_4b, cast.class_5c, archive.school_class]
    people: list[policy.AnyUser] = [_as_user(cast, role) for role in ROLES]
    people += [archive.left_early, archive.former_guardian]
    for user in people:
        visible = set(policy.visible_class_blogs(user).values_list("pk", flat=True))
        for school_class in classes:
            can = policy.relation_to_class(user, school_class).is_member
            readers = set(policy.readers_of_class_blog(school_class).values_list("pk", flat=True))
            assert can == (school_class.pk in visible), (user, school_class)
            assert can == (getattr(user, "pk", None) in readers), (user, school_class)
            assert can == policy.relation_to_class(user, school_class).is_member, (user, school_class)


def test_the_blog_of_an_ended_school_year_is_a_read_only_archive_of_those_who_were_there_at_its_end(
    cast: Cast,
) -> None:
    archive = last_years_class(cast)
    class_3a = archive.school_class
    assert policy.class_blog_is_archived(class_3a)
    assert not policy.class_blog_is_archived(cast.class_4a)

    readers = set(policy.readers_of_class_blog(class_3a))
    # In the class on its last day (and their guardians as of today), its teacher then, and
    # the school's principal now. Not: who left in the spring, a guardian withdrawn since,
    # this year's teacher of the same student.
    assert readers == {cast.student, cast.guardian_1, cast.guardian_2, cast.other_teacher, cast.principal}
    assert not policy.relation_to_class(archive.left_early, class_3a).is_member
    assert not policy.relation_to_class(archive.former_guardian, class_3a).is_member
    assert not policy.relation_to_class(cast.withdrawn_guardian, class_3a).is_member
    assert not policy.relation_to_class(cast.teacher, class_3a).is_member
    assert policy.relation_to_class(cast.other_teacher, class_3a).is_teacher

    for user in readers:
        rights = _blog_rights(user, cast, student_posts=True, comments="everyone", school_class=class_3a)
        assert rights.read, user
        assert not rights.write, user
        assert not rights.moderate, user
        assert not rights.comment, user
    for user in (cast.teacher, cast.principal):  # the same settings on this year's blog
        rights = _blog_rights(user, cast, student_posts=True, comments="everyone")
        assert rights.write
        assert rights.moderate
        assert rights.comment
    with pytest.raises(Http404):
        blog_doors.blog(archive.left_early, class_3a.pk)
    assert blog_doors.blog(cast.guardian_1, class_3a.pk).relation.is_guardian


def test_missing_and_forbidden_class_blogs_give_the_same_404(cast: Cast) -> None:
    with pytest.raises(Http404) as forbidden:
        blog_doors.blog(cast.guardian_1, cast.class_4b.pk)
    with pytest.raises(Http404) as missing:
        blog_doors.blog(cast.guardian_1, 10_000_000)
    assert str(forbidden.value) == str(missing.value)
    access = blog_doors.blog(cast.guardian_1, cast.class_4a.pk)
    assert (access.school_class, access.relation.is_guardian) == (cast.class_4a, True)


def test_the_three_views_of_page_access_agree_for_every_person_and_student(cast: Cast) -> None:
    """relation_to_student, visible_students and readers_of_student_page are one rule
    seen from three sides; a disagreement would be a leak or a missing notification. The
    student who left is an archive, read by other people than a page in use."""
    students = [cast.student, cast.other_student, cast.left_student]
    for role in ROLES:
        user = _as_user(cast, role)
        visible = set(policy.visible_students(user).values_list("pk", flat=True))
        for student in students:
            can = policy.relation_to_student(user, student).may_read
            readers = set(policy.readers_of_student_page(student).values_list("pk", flat=True))
            assert can == (student.pk in visible), (role, student)
            assert can == (getattr(user, "pk", None) in readers), (role, student)


def test_readers_of_the_page_are_exactly_student_guardians_teacher_and_principal(cast: Cast) -> None:
    readers = set(policy.readers_of_student_page(cast.student))
    assert readers == {cast.student, cast.guardian_1, cast.guardian_2, cast.teacher, cast.principal}


def test_each_reader_of_the_page_has_the_part_their_relation_says(cast: Cast) -> None:
    assert policy.roles_on_student_page(cast.student) == {
        cast.student.pk: policy.STUDENT,
        cast.guardian_1.pk: policy.GUARDIAN,
        cast.guardian_2.pk: policy.GUARDIAN,
        cast.teacher.pk: policy.TEACHER,
        cast.principal.pk: policy.PRINCIPAL,
    }


def test_each_reader_of_the_class_blog_has_their_part(cast: Cast) -> None:
    roles = policy.roles_in_class_blog(cast.class_4a)
    assert set(roles) == set(policy.readers_of_class_blog(cast.class_4a).values_list("pk", flat=True))
    assert roles[cast.student.pk] == policy.STUDENT
    assert roles[cast.guardian_1.pk] == roles[cast.guardian_2.pk] == policy.GUARDIAN
    assert roles[cast.teacher.pk] == policy.TEACHER
    assert roles[cast.principal.pk] == policy.PRINCIPAL
    assert cast.other_guardian.pk not in roles


def test_missing_and_forbidden_students_give_the_same_404(cast: Cast) -> None:
    with pytest.raises(Http404) as forbidden:
        doors.student_page(cast.guardian_1, cast.other_student.pk)
    with pytest.raises(Http404) as missing:
        doors.student_page(cast.guardian_1, 10_000_000)
    assert str(forbidden.value) == str(missing.value)
    assert doors.student_page(cast.guardian_1, cast.student.pk).student == cast.student


def test_only_students_have_pages(cast: Cast) -> None:
    """A teacher's or guardian's id is not a student page, even for the principal."""
    with pytest.raises(Http404):
        doors.student_page(cast.principal, cast.teacher.pk)
    with pytest.raises(Http404):
        doors.student_page(cast.guardian_1, cast.guardian_1.pk)


def test_withdrawn_guardian_keeps_nothing_but_the_record(cast: Cast) -> None:
    assert not policy.relation_to_student(cast.withdrawn_guardian, cast.student).may_read
    assert not policy.relation_to_class(cast.withdrawn_guardian, cast.class_4a).is_member
    assert policy.visible_students(cast.withdrawn_guardian).count() == 0
    withdrawal = Guardianship.objects.get(guardian=cast.withdrawn_guardian)
    assert withdrawal.end_reason == "Court decision"


def test_guardianship_withdrawn_from_a_date_gives_access_until_that_date_only(cast: Cast) -> None:
    today = timezone.localdate()
    guardianship = Guardianship.objects.get(guardian=cast.guardian_2, student=cast.student)
    m.end_membership(
        SYSTEM, guardianship, ends_on=today + datetime.timedelta(days=3), reason="Court decision"
    )
    two_days = today + datetime.timedelta(days=2)
    three_days = today + datetime.timedelta(days=3)
    assert policy.relation_to_student(cast.guardian_2, cast.student, on=two_days).is_guardian
    assert not policy.relation_to_student(cast.guardian_2, cast.student, on=three_days).is_member
    assert Guardianship.objects.filter(pk=guardianship.pk).exists()


def test_teacher_loses_access_on_the_day_the_assignment_ends(cast: Cast) -> None:
    today = timezone.localdate()
    for assignment in TeachingAssignment.objects.filter(teacher=cast.teacher):
        m.end_membership(SYSTEM, assignment, ends_on=today + datetime.timedelta(days=1))
    mentorship = cast.teacher.mentorships.get()
    m.end_membership(SYSTEM, mentorship, ends_on=today + datetime.timedelta(days=1))

    assert policy.relation_to_student(cast.teacher, cast.student).may_read  # still today
    tomorrow = today + datetime.timedelta(days=1)
    assert not policy.relation_to_student(cast.teacher, cast.student, on=tomorrow).is_member
    assert not policy.visible_students(cast.teacher, on=tomorrow).exists()
    assert cast.teacher not in policy.readers_of_student_page(cast.student, on=tomorrow)


def test_former_teacher_has_no_access_and_no_longer_counts_as_staff(cast: Cast) -> None:
    assert not policy.relation_to_student(cast.former_teacher, cast.student).may_read
    assert not policy.relation_to_student(cast.former_teacher, cast.student).may_publish_assessment(
        cast.english.pk
    )
    assert not policy.requires_otp(cast.former_teacher)
    assert TeachingAssignment.objects.filter(teacher=cast.former_teacher).exists()


def test_membership_that_starts_tomorrow_gives_no_access_today(cast: Cast) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    newcomer = p.create_person(SYSTEM, username="ny.larare", first_name="Ny", last_name="Lärare")
    m.assign_teaching(SYSTEM, newcomer, cast.class_4a, cast.english, starts_on=tomorrow)
    assert not policy.relation_to_student(newcomer, cast.student).may_read
    assert policy.relation_to_student(newcomer, cast.student, on=tomorrow).taught_subject_ids == {
        cast.english.pk
    }


def test_student_who_moves_to_another_school_keeps_the_page_for_the_new_school(cast: Cast) -> None:
    today = timezone.localdate()
    m.end_membership(SYSTEM, Enrolment.objects.get(student=cast.student), ends_on=today)
    m.enrol_student(SYSTEM, cast.student, cast.class_5c, starts_on=today)

    assert policy.relation_to_student(cast.other_principal, cast.student).may_read
    assert not policy.relation_to_student(cast.principal, cast.student).may_read
    assert not policy.relation_to_student(cast.teacher, cast.student).may_read
    assert policy.relation_to_student(
        cast.guardian_1, cast.student
    ).may_read  # guardianship follows the child
    assert policy.relation_to_student(cast.student, cast.student).may_read


def test_another_schools_principal_reaches_nothing_of_this_school(cast: Cast) -> None:
    assert not policy.visible_students(cast.other_principal).exists()
    assert not policy.visible_class_blogs(cast.other_principal).filter(school=cast.school).exists()
    assert not policy.visible_class_rosters(cast.other_principal).filter(school=cast.school).exists()
    with pytest.raises(Http404):
        policy.access_led_school(cast.other_principal, cast.school.pk)
    with pytest.raises(Http404):
        policy.access_class_roster(cast.other_principal, cast.class_4a.pk)


def test_deactivated_account_has_no_access_at_all(cast: Cast) -> None:
    p.update_person(SYSTEM, cast.guardian_1, is_active=False)
    assert not policy.relation_to_student(cast.guardian_1, cast.student).may_read
    assert not policy.visible_students(cast.guardian_1).exists()
    assert cast.guardian_1 not in policy.readers_of_student_page(cast.student)


def test_superuser_runs_the_platform_but_reads_no_student_page(cast: Cast) -> None:
    assert policy.can_administer_school(cast.operator, cast.other_school)
    assert not policy.relation_to_student(cast.operator, cast.student).may_read
    assert not policy.visible_students(cast.operator).exists()


def test_school_administrator_manages_only_people_of_their_school(cast: Cast) -> None:
    managed = set(policy.administered_people(cast.school_admin))
    assert {cast.student, cast.guardian_1, cast.teacher, cast.other_student, cast.principal} <= managed
    assert cast.other_principal not in managed
    newcomer_school = s.create_school(SYSTEM, name="Västerskolan", municipality="Umeå kommun")
    assert not policy.can_administer_school(cast.school_admin, newcomer_school)
    assert not policy.relation_to_student(cast.school_admin, cast.student).may_read


def test_mentor_without_subjects_reads_the_page_but_publishes_nothing(cast: Cast) -> None:
    mentor = p.create_person(SYSTEM, username="mentor.only", first_name="Mona", last_name="Mentor")
    m.assign_mentor(SYSTEM, mentor, cast.class_4a)
    relation = policy.relation_to_student(mentor, cast.student)
    assert relation.is_mentor
    assert relation.taught_subject_ids == frozenset()
    assert policy.relation_to_student(mentor, cast.student).may_read
    assert policy.relation_to_student(mentor, cast.student).may_set_goals
    assert not policy.relation_to_student(mentor, cast.student).may_publish_assessment(cast.maths.pk)


def test_the_who_can_see_line_lists_exactly_the_policys_readers(cast: Cast) -> None:
    """The page tells its writers who reads it; that list must be the policy's, or people
    would write for an audience that is not the real one."""
    from accounts.queries import student_page_audience

    for student in (cast.student, cast.other_student, cast.left_student):
        shown = student_page_audience(student).everyone()
        assert shown == set(policy.readers_of_student_page(student).values_list("pk", flat=True))
