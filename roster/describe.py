"""A run's changes and problems in words, in the reader's language: they are stored as codes
with names (``RosterRunSchool.changes``/``problems``), never as sentences and never with a
civic number."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Leaving, StaffRole, Subject

# How many moves the summary names before it only counts them.
NAMED_MOVES = 3


@cache
def _subjects() -> dict[str, Subject]:
    return {subject.code: subject for subject in Subject.objects.all()}


def _subject(code: str) -> str:
    subject = _subjects().get(code)
    return subject.name if subject is not None else code


def _role(role: str) -> str:
    return str(StaffRole.Role(role).label) if role in StaffRole.Role.values else role


def _reason(reason: str) -> str:
    return str(Leaving.Reason(reason).label) if reason in Leaving.Reason.values else reason


def describe_change(entry: dict[str, Any]) -> str:
    e = {key: value for key, value in entry.items() if key != "code"}
    code = entry.get("code", "")
    if "role" in e:
        e["role"] = _role(e["role"])
    if "subject" in e:
        e["subject"] = _subject(e["subject"])
    if "reason" in e:
        e["reason"] = _reason(e["reason"])
    sentences = {
        "add_school": _("Adds the school %(name)s"),
        "rename_school": _("Renames the school %(old)s to %(name)s"),
        "add_student": _("Adds the student %(name)s"),
        "add_guardian": _("Adds the guardian %(name)s"),
        "add_staff": _("Adds %(name)s to the staff"),
        "link_person": _("Connects %(name)s to the account that already exists here"),
        "update_person": _("Updates %(name)s: %(fields)s"),
        "add_class": _("Adds the class %(name)s"),
        "rename_class": _("Renames the class %(old)s to %(name)s"),
        "add_enrolment": _("Enrols %(name)s in %(class)s from %(on)s"),
        "end_enrolment": _("Ends %(name)s's enrolment in %(class)s on %(on)s"),
        "move": _("Moves %(name)s from %(from)s to %(to)s on %(on)s"),
        "add_guardianship": _("Makes %(guardian)s a guardian of %(student)s from %(on)s"),
        "end_guardianship": _("Ends %(guardian)s's guardianship of %(student)s on %(on)s"),
        "add_staff_role": _("Gives %(name)s the role %(role)s from %(on)s"),
        "end_staff_role": _("Ends %(name)s's role as %(role)s on %(on)s"),
        "add_mentorship": _("Makes %(name)s mentor of %(class)s from %(on)s"),
        "end_mentorship": _("Ends %(name)s's mentorship of %(class)s on %(on)s"),
        "add_teaching": _("Assigns %(name)s to teach %(subject)s in %(class)s from %(on)s"),
        "end_teaching": _("Ends %(name)s's teaching of %(subject)s in %(class)s on %(on)s"),
        "record_leaving": _("Records that %(name)s leaves on %(on)s (%(reason)s): the archive starts"),
    }
    if code == "update_person":
        e["fields"] = ", ".join(_field(field) for field in e.get("fields", []))
    return _fill(sentences.get(code), e, code)


def _field(field: str) -> str:
    return {
        "name": _("name"),
        "email": _("e-mail"),
        "civic_number": _("civic number"),
        "security_marking": _("protected personal data"),
        "school_accounts": _("school accounts"),
    }.get(field, field)


def describe_problem(entry: dict[str, Any]) -> str:
    e = {key: value for key, value in entry.items() if key != "code"}
    code = entry.get("code", "")
    if code == "person_conflict":
        reasons = {
            "civic_number_changed": _(
                "%(name)s: the register has another civic number than the account here. "
                "Left as it is: check it by hand."
            ),
            "matches_other_account": _(
                "%(name)s: the civic number or school account belongs to another account here. "
                "Left as it is: check it by hand."
            ),
            "matches_two_accounts": _(
                "%(name)s matches two accounts here (by civic number and school account). "
                "Left as it is: check it by hand."
            ),
            "linked_to_another": _(
                "%(name)s matches an account here that belongs to another person of the register. "
                "Left as it is: check it by hand."
            ),
        }
        sentence = _fill(reasons.get(e.get("reason", "")), e, code)
        skipped = int(e.get("skipped") or 0)
        if skipped:
            sentence += " " + ngettext(
                "%(count)d membership was left out with them.",
                "%(count)d memberships were left out with them.",
                skipped,
            ) % {"count": skipped}
        return sentence
    sentences = {
        "read_failed": _(
            "The school could not be read from the register, so nothing was changed: %(message)s"
        ),
        "apply_failed": _(
            "The changes could not be saved, so nothing was changed at this school: %(message)s"
        ),
        "bad_civic_number": _("%(name)s has a civic number that is not valid: it was left out."),
        "membership_without_person": _(
            "A membership in %(where)s points to nobody in the register: left out."
        ),
        "unknown_subject": _(
            "The activity %(activity)s has a subject we do not know (%(subject_code)s): left out."
        ),
        "unreadable_grade": _(
            "The grade of the class %(name)s cannot be told from its name or students: left out."
        ),
        "class_in_other_school": _(
            "The class %(name)s already belongs to another school here: left as it is."
        ),
        "leaving_refused": _("The leaving of %(name)s could not be recorded: %(message)s"),
    }
    return _fill(sentences.get(code), e, code)


def _fill(sentence: str | None, values: dict[str, Any], code: str) -> str:
    if sentence is None:
        return code
    try:
        return sentence % values
    except (KeyError, TypeError, ValueError):
        return code


# The summary's order.
_SUMMARY = (
    "add_school",
    "add_student",
    "add_guardian",
    "add_staff",
    "link_person",
    "update_person",
    "add_class",
    "rename_class",
    "add_enrolment",
    "end_enrolment",
    "add_guardianship",
    "end_guardianship",
    "add_staff_role",
    "end_staff_role",
    "add_mentorship",
    "end_mentorship",
    "add_teaching",
    "end_teaching",
    "record_leaving",
)


def _summary_piece(code: str, count: int) -> str:
    # Spelled out so that makemessages finds every msgid.
    pieces = {
        "add_school": lambda n: _("adds the school"),
        "add_student": lambda n: ngettext("adds %(count)d student", "adds %(count)d students", n),
        "add_guardian": lambda n: ngettext("adds %(count)d guardian", "adds %(count)d guardians", n),
        "add_staff": lambda n: ngettext("adds %(count)d staff member", "adds %(count)d staff members", n),
        "link_person": lambda n: ngettext(
            "connects %(count)d existing account", "connects %(count)d existing accounts", n
        ),
        "update_person": lambda n: ngettext("updates %(count)d person", "updates %(count)d people", n),
        "add_class": lambda n: ngettext("adds %(count)d class", "adds %(count)d classes", n),
        "rename_class": lambda n: ngettext("renames %(count)d class", "renames %(count)d classes", n),
        "add_enrolment": lambda n: ngettext("adds %(count)d enrolment", "adds %(count)d enrolments", n),
        "end_enrolment": lambda n: ngettext("ends %(count)d enrolment", "ends %(count)d enrolments", n),
        "add_guardianship": lambda n: ngettext(
            "adds %(count)d guardianship", "adds %(count)d guardianships", n
        ),
        "end_guardianship": lambda n: ngettext(
            "ends %(count)d guardianship", "ends %(count)d guardianships", n
        ),
        "add_staff_role": lambda n: ngettext("adds %(count)d staff role", "adds %(count)d staff roles", n),
        "end_staff_role": lambda n: ngettext("ends %(count)d staff role", "ends %(count)d staff roles", n),
        "add_mentorship": lambda n: ngettext("adds %(count)d mentorship", "adds %(count)d mentorships", n),
        "end_mentorship": lambda n: ngettext("ends %(count)d mentorship", "ends %(count)d mentorships", n),
        "add_teaching": lambda n: ngettext(
            "adds %(count)d teaching assignment", "adds %(count)d teaching assignments", n
        ),
        "end_teaching": lambda n: ngettext(
            "ends %(count)d teaching assignment", "ends %(count)d teaching assignments", n
        ),
        "record_leaving": lambda n: ngettext("records %(count)d leaving", "records %(count)d leavings", n),
    }
    return pieces[code](count) % {"count": count}


def summary_of(changes: list[dict[str, Any]]) -> str:
    """ "adds 3 students, ends 1 guardianship, moves Elsa Lindqvist from 4A to 4B on 2027-01-10"."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.get("code", "")] = counts.get(change.get("code", ""), 0) + 1
    parts = [_summary_piece(code, counts[code]) for code in _SUMMARY if counts.get(code)]
    moves = [change for change in changes if change.get("code") == "move"]
    if len(moves) > NAMED_MOVES:
        parts.append(
            ngettext("moves %(count)d student", "moves %(count)d students", len(moves))
            % {"count": len(moves)}
        )
    else:
        parts += [_("moves %(name)s from %(from)s to %(to)s on %(on)s") % move for move in moves]
    return ", ".join(parts) if parts else _("no changes")


def summary(run_school: Any) -> str:
    """The summary line of one school of a run (``RosterRunSchool``)."""
    return summary_of(run_school.changes)
