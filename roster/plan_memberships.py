"""Memberships as the register has them, against those here: what to add, what to link
(one typed in by hand before the register was connected), what ends, and which students left.

Dates: a membership starts on the latest of the start dates around it (group, membership,
duty, assignment, activity and teacher) and ends on the earliest of their end dates. What
disappears from a complete read, or is listed as deleted, ends on the run's day with the
reason "Removed from the student register". A row whose end date someone else set (a
leaving, an administrator) keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.models.memberships import DatedMembership
from roster import reading
from roster.models import SourceLink
from roster.plan import Op, Want
from roster.plan_students import name_moves, record_leavings

if TYPE_CHECKING:
    from roster.plan import Planner

Kind = SourceLink.Kind
# Teaching before enrolments: a new student's page is then made with the class's subject
# threads at once, instead of each new assignment visiting every page of the class.
ORDER = (Kind.TEACHING, Kind.MENTORSHIP, Kind.STAFF_ROLE, Kind.ENROLMENT, Kind.GUARDIANSHIP)


def plan_memberships(planner: Planner) -> None:
    planner.new_people = {op.data["pid"] for op in planner.plan.ops if op.kind == "person.create"}
    planner.new_classes = {op.data["gid"] for op in planner.plan.ops if op.kind == "class.create"}
    wants: dict[str, list[Want]] = {kind: [] for kind in ORDER}
    _enrolments(planner, wants[Kind.ENROLMENT])
    _guardianships(planner, wants[Kind.GUARDIANSHIP])
    duties = _duties(planner, wants[Kind.STAFF_ROLE], wants[Kind.MENTORSHIP])
    _teaching(planner, duties, wants[Kind.TEACHING])
    ends: list[Op] = []
    for kind in ORDER:
        _reconcile(planner, kind, wants[kind], ends)
    # Ends first: a student moving back to a class, or a role given again, never overlaps.
    _insert_ends(planner, ends)
    record_leavings(planner)
    for pid, count in planner.skipped.items():
        for problem in planner.plan.problems:
            if problem.get("pid") == pid:
                problem["skipped"] = count
                problem.pop("pid")
    name_moves(planner)


def _insert_ends(planner: Planner, ends: list[Op]) -> None:
    ops = planner.plan.ops
    first = next((i for i, op in enumerate(ops) if op.kind in ("create", "link")), len(ops))
    ops[first:first] = ends


def _known(planner: Planner, pid: str) -> bool:
    return pid in planner.plan.users or pid in planner.new_people


def _class_known(planner: Planner, gid: str) -> bool:
    return gid in planner.plan.classes or gid in planner.new_classes


def _check_person(planner: Planner, pid: str | None, where: str) -> bool:
    if pid and pid in planner.skipped:
        planner.skipped[pid] += 1
        return False
    # A complete read lists every person: one linked here but no longer served is gone.
    if pid and _known(planner, pid) and (pid in planner.persons or not planner.complete):
        return True
    planner.plan.problem("membership_without_person", where=where)
    return False


def _enrolments(planner: Planner, wants: list[Want]) -> None:
    for group in planner.class_groups:
        gid = group["id"]
        if not _class_known(planner, gid):
            continue  # reported with the class
        class_name = planner.class_name(gid)
        for membership in group.get("groupMemberships") or []:
            pid = reading.ref_id(membership.get("person"))
            if not _check_person(planner, pid, class_name):
                continue
            assert pid is not None
            key = membership.get("id") or pid
            wants.append(
                Want(
                    Kind.ENROLMENT,
                    f"{gid}:{key}",
                    {"student": pid, "class": gid},
                    {},
                    reading.latest_start(group.get("startDate"), membership.get("startDate"))
                    or planner.today,
                    reading.earliest_end(group.get("endDate"), membership.get("endDate")),
                    {"name": planner.person_name(pid), "class": class_name},
                )
            )


def _guardianships(planner: Planner, wants: list[Want]) -> None:
    for pid in sorted(planner.students):
        person = planner.persons.get(pid)
        if person is not None and pid in planner.skipped:
            planner.skipped[pid] += len(reading.guardian_ids(person))
            continue
        if person is None or not _known(planner, pid):
            continue
        for guardian in reading.guardian_ids(person):
            if guardian == pid or not _check_person(planner, guardian, planner.person_name(pid)):
                continue
            wants.append(
                Want(
                    Kind.GUARDIANSHIP,
                    f"{pid}:{guardian}",
                    {"guardian": guardian, "student": pid},
                    {},
                    planner.today,
                    None,
                    {"guardian": planner.person_name(guardian), "student": planner.person_name(pid)},
                )
            )


def _duties(planner: Planner, roles: list[Want], mentors: list[Want]) -> dict[str, dict[str, Any]]:
    """Staff roles and mentorships; returns the usable duties by id for the teaching."""
    usable: dict[str, dict[str, Any]] = {}
    for duty in planner.data.duties:
        did, pid = duty.get("id"), reading.ref_id(duty.get("person"))
        if not did or not _check_person(planner, pid, str(duty.get("dutyRole") or "")):
            continue
        assert pid is not None
        usable[did] = duty
        name = planner.person_name(pid)
        role = reading.STAFF_ROLES.get(str(duty.get("dutyRole")))
        if role is not None:
            roles.append(
                Want(
                    Kind.STAFF_ROLE,
                    did,
                    {"user": pid},
                    {"role": role},
                    reading.day(duty.get("startDate")) or planner.today,
                    reading.end_day(duty.get("endDate")),
                    {"name": name, "role": role},
                )
            )
        for assignment in duty.get("assignmentRole") or []:
            gid = reading.ref_id(assignment.get("group"))
            if assignment.get("assignmentRoleType") != reading.MENTOR_ASSIGNMENT or not gid:
                continue
            if not _class_known(planner, gid):
                continue  # a mentor of a group that is not a class here
            mentors.append(
                Want(
                    Kind.MENTORSHIP,
                    f"{did}:{gid}",
                    {"teacher": pid, "class": gid},
                    {},
                    reading.latest_start(duty.get("startDate"), assignment.get("startDate")) or planner.today,
                    reading.earliest_end(duty.get("endDate"), assignment.get("endDate")),
                    {"name": name, "class": planner.class_name(gid)},
                )
            )
    return usable


def _classes_of_teaching_groups(planner: Planner) -> dict[str, list[str]]:
    """Each teaching group (any group that is not a class) -> the classes its members are
    in. Schools often schedule a subject for a teaching group ("Ma 4A", or 4A and 4B
    together in "Sv 4AB"); its teacher teaches the subject in each of those classes."""
    class_of: dict[str, set[str]] = {}
    for group in planner.class_groups:
        for membership in group.get("groupMemberships") or []:
            if pid := reading.ref_id(membership.get("person")):
                class_of.setdefault(pid, set()).add(group["id"])
    mapped: dict[str, list[str]] = {}
    for group in planner.data.groups:
        if reading.is_class_group(group) or not group.get("id"):
            continue
        classes: set[str] = set()
        for membership in group.get("groupMemberships") or []:
            classes |= class_of.get(reading.ref_id(membership.get("person")) or "", set())
        mapped[group["id"]] = sorted(classes)
    return mapped


def _teaching(planner: Planner, duties: dict[str, dict[str, Any]], wants: list[Want]) -> None:
    groups = {group["id"]: group for group in planner.class_groups}
    teaching_groups = _classes_of_teaching_groups(planner)
    for activity in planner.data.activities:
        aid = activity.get("id")
        class_ids: list[str] = []
        for ref in activity.get("groups") or []:
            gid = reading.ref_id(ref) or ""
            for class_id in [gid] if gid in groups else teaching_groups.get(gid, []):
                if class_id not in class_ids:
                    class_ids.append(class_id)
        if not aid or not class_ids:
            continue  # no class among the groups or their members: not ours to map
        syllabus = planner.snapshot.syllabuses.get(reading.ref_id(activity.get("syllabus")) or "") or {}
        subject = planner.local.subjects.get(str(syllabus.get("subjectCode") or ""))
        if subject is None:
            planner.plan.problem(
                "unknown_subject",
                activity=str(activity.get("displayName") or aid),
                subject_code=str(syllabus.get("subjectCode") or ""),
            )
            continue
        for teacher in activity.get("teachers") or []:
            did = reading.ref_id(teacher.get("duty"))
            duty = duties.get(did or "")
            if duty is None or did is None:
                continue  # a duty reported above, or of another school
            pid = reading.ref_id(duty.get("person"))
            assert pid is not None
            for gid in class_ids:
                if not _class_known(planner, gid):
                    continue
                group = groups[gid]
                dates = (group, duty, activity, teacher)
                wants.append(
                    Want(
                        Kind.TEACHING,
                        f"{aid}:{did}:{gid}",
                        {"teacher": pid, "class": gid},
                        {"subject": subject},
                        reading.latest_start(*(d.get("startDate") for d in dates)) or planner.today,
                        reading.earliest_end(*(d.get("endDate") for d in dates)),
                        {
                            "name": planner.person_name(pid),
                            "class": planner.class_name(gid),
                            "subject": subject.code,
                        },
                    )
                )


def _reconcile(planner: Planner, kind: str, wants: list[Want], ends: list[Op]) -> None:
    plan, local = planner.plan, planner.local
    wanted: set[str] = set()
    for want in wants:
        if want.source_id in wanted:
            continue
        wanted.add(want.source_id)
        link = local.links.get((kind, want.source_id))
        row = local.rows[kind].get(link.local_id) if link is not None else None
        if link is not None and row is None:
            row = _row_elsewhere(kind, link.local_id)
        if row is not None:
            _plan_end(planner, kind, row, want.ends_on, want.words, ends, removed=False)
            continue
        identity = planner.identity_of(want)
        adopted = None
        if identity is not None:
            adopted = next(
                (
                    r
                    for r in local.identical(kind, identity)
                    if (kind, r.pk) not in local.links_by_local
                    and (r.ends_on is None or r.ends_on > want.starts_on)
                ),
                None,
            )
        if adopted is not None:
            local.links_by_local[(kind, adopted.pk)] = SourceLink(kind=kind, source_id=want.source_id)
            plan.ops.append(Op("link", {"kind": kind, "sid": want.source_id, "row": adopted}))
            _plan_end(planner, kind, adopted, want.ends_on, want.words, ends, removed=False)
            continue
        if want.ends_on is not None and want.ends_on <= want.starts_on:
            continue  # never in force
        op = Op("create", {"want": want})
        words = dict(want.words, on=want.starts_on.isoformat())
        if want.ends_on is not None:
            words["until"] = want.ends_on.isoformat()
        plan.change(op, f"add_{kind}", **words)
    _end_absent(planner, kind, wanted, ends)


def _row_elsewhere(kind: str, pk: int) -> DatedMembership | None:
    """A linked guardianship of a student who moved here from another school of ours."""
    from roster.local import MEMBERSHIP_MODELS

    return MEMBERSHIP_MODELS[kind].objects.filter(pk=pk).first()


def _plan_end(
    planner: Planner,
    kind: str,
    row: DatedMembership,
    ends_on: Any,
    words: dict[str, Any],
    ends: list[Op],
    *,
    removed: bool,
) -> None:
    if ends_on is not None:
        ends_on = max(ends_on, row.starts_on)  # an end before the start: never in force
    if ends_on == row.ends_on:
        return
    if ends_on is None:
        if not planner.is_ours(row):
            return  # ended by someone here: theirs stands
        if _student_left(planner, kind, row):
            return
        ends.append(Op("end", {"row": row, "ends_on": None, "removed": False}))
        planner.plan.changes.append({"code": f"add_{kind}", **words, "on": row.starts_on.isoformat()})
        return
    if row.ends_on is not None and not planner.is_ours(row):
        return  # ended by someone here (a leaving, an administrator): theirs stands
    ends.append(Op("end", {"row": row, "ends_on": ends_on, "removed": removed}))
    planner.plan.changes.append({"code": f"end_{kind}", **words, "on": ends_on.isoformat()})


def _student_left(planner: Planner, kind: str, row: DatedMembership) -> bool:
    student_id = getattr(row, "student_id", None)
    return kind == Kind.ENROLMENT and student_id in planner.local.left


def _end_absent(planner: Planner, kind: str, wanted: set[str], ends: list[Op]) -> None:
    """End what the register no longer has, among what this read speaks for."""
    local, index = planner.local, planner.index
    deleted_users = {
        link.local_id
        for pid in index.deleted["persons"]
        if (link := local.links.get((Kind.PERSON, pid))) is not None
    }
    spoken_for = _spoken_for(planner, kind)
    for row in local.rows[kind].values():
        link = local.links_by_local.get((kind, row.pk))
        if link is None or not link.source_id or link.source_id in wanted:
            continue
        if row.ends_on is not None and row.ends_on <= planner.today:
            continue
        parts = link.source_id.split(":")
        people = {
            getattr(row, name)
            for name in ("student_id", "guardian_id", "teacher_id", "user_id")
            if hasattr(row, name)
        }
        if not (spoken_for(parts, row) or index.is_deleted(*parts) or people & deleted_users):
            continue
        if any(pid in planner.skipped for pid in parts):
            continue
        if any(
            index.school_of_group.get(part, planner.plan.source_id) != planner.plan.source_id
            for part in parts
        ):
            continue  # the register moved the group to another school: a conflict there
        if (
            kind == Kind.GUARDIANSHIP
            and parts[0] not in planner.students
            and parts[0] in planner.persons
            and not index.is_deleted(*parts)
        ):
            continue  # the student's read is another school's to act on
        words = _words_of_row(planner, kind, row)
        _plan_end(planner, kind, row, planner.today, words, ends, removed=True)


def _spoken_for(planner: Planner, kind: str) -> Any:
    """Whether a read covers a stored link: a complete read covers all of the school, an
    incremental one what it returned (the first part of the link)."""
    by_kind: dict[str, set[Any]] = {
        Kind.ENROLMENT: {g["id"] for g in planner.class_groups},
        Kind.GUARDIANSHIP: set(planner.persons),
        Kind.STAFF_ROLE: {d.get("id") for d in planner.data.duties},
        Kind.MENTORSHIP: {d.get("id") for d in planner.data.duties},
        Kind.TEACHING: {a.get("id") for a in planner.data.activities},
    }
    present = by_kind[kind]
    if kind == Kind.GUARDIANSHIP:
        persons = planner.persons
        return lambda parts, row: (
            (planner.complete and (parts[0] not in persons or parts[1] not in persons))
            or (parts[0] in persons)
        )
    if planner.complete:
        return lambda parts, row: True
    return lambda parts, row: parts[0] in present


def _words_of_row(planner: Planner, kind: str, row: DatedMembership) -> dict[str, Any]:
    users = planner.local.users
    classes = planner.local.classes

    def name(user_id: int) -> str:
        user = users.get(user_id)
        return user.display_name if user is not None else "?"

    def class_name(class_id: int) -> str:
        school_class = classes.get(class_id)
        return school_class.name if school_class is not None else "?"

    r: Any = row
    if kind == Kind.ENROLMENT:
        return {"name": name(r.student_id), "class": class_name(r.school_class_id)}
    if kind == Kind.GUARDIANSHIP:
        return {"guardian": name(r.guardian_id), "student": name(r.student_id)}
    if kind == Kind.STAFF_ROLE:
        return {"name": name(r.user_id), "role": r.role}
    if kind == Kind.MENTORSHIP:
        return {"name": name(r.teacher_id), "class": class_name(r.school_class_id)}
    subject = next((s.code for s in planner.local.subjects.values() if s.pk == r.subject_id), "")
    return {"name": name(r.teacher_id), "class": class_name(r.school_class_id), "subject": subject}
