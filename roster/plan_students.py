"""What the register's memberships mean for a student as a whole: a leaving (every
enrolment at our schools has ended) and a move (one class ended, another begun, the same day).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from accounts.models import Leaving
from roster import reading
from roster.models import SourceLink
from roster.plan import Op

if TYPE_CHECKING:
    from roster.plan import Planner

Kind = SourceLink.Kind


def record_leavings(planner: Planner) -> None:
    """A student whose enrolments at our schools have all ended leaves on the last end
    date, recorded by the school of that enrolment; moving between our schools is not leaving."""
    for pid in sorted(planner.enrolled):
        person = planner.persons.get(pid)
        user = planner.plan.users.get(pid)
        if person is None or user is None or user.pk in planner.local.left or pid in planner.skipped:
            continue
        enrolments = reading.gr_enrolments(person, planner.index.school_ids)
        ends = [(reading.end_day(e.get("endDate")), e) for e in enrolments]
        if not ends or any(end is None or end > planner.today for end, _ in ends):
            continue
        left_on, last = max(ends, key=lambda pair: pair[0])  # type: ignore[arg-type, return-value]
        if reading.ref_id(last.get("enroledAt")) != planner.plan.source_id:
            continue
        if not any(
            getattr(row, "student_id", None) == user.pk for row in planner.local.rows[Kind.ENROLMENT].values()
        ):
            continue  # never in a class here: nothing to archive
        reason = Leaving.Reason.FINISHED if last.get("schoolYear") == 9 else Leaving.Reason.OTHER
        assert left_on is not None
        planner.plan.change(
            Op("leave", {"pid": pid, "left_on": left_on, "reason": reason}),
            "record_leaving",
            name=reading.full_name(person),
            on=left_on.isoformat(),
            reason=str(reason),
        )


def name_moves(planner: Planner) -> None:
    """An ended enrolment and a new one of the same student on the same day read as a move."""
    changes = planner.plan.changes
    started: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, change in enumerate(changes):
        if change["code"] == "add_enrolment":
            started[(change["name"], change["on"])].append(i)
    merged: set[int] = set()
    for i, change in enumerate(changes):
        if change["code"] != "end_enrolment":
            continue
        for j in started.get((change["name"], change["on"]), []):
            if j not in merged:
                merged |= {i, j}
                changes[i] = {
                    "code": "move",
                    "name": change["name"],
                    "from": change["class"],
                    "to": changes[j]["class"],
                    "on": change["on"],
                }
                break
    planner.plan.changes[:] = [c for k, c in enumerate(changes) if k not in merged or c["code"] == "move"]
