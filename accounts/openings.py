"""Openings of a student's records: the hook of the access log.

Every door to a student's records (``dialogue.doors``) sends ``opened`` exactly once per
opening: a page shown, a document shown, a file downloaded, a live subscription started.
Acting on a page that is already open (a send over the socket, a form's action) is not an
opening. The records floor listens and keeps the access log; nothing here stores anything.
The signal never carries what was read, only who opened what, as whom.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with: viewer_id, student_id, what (a noun: "page", "thread", "attachment",
# "assessment", "goals", ...), object_id (or None) and relation (``policy.StudentRelation``).
opened = Signal()


def record_opening(
    *, viewer_id: int, student_id: int, what: str, object_id: int | None, relation: object
) -> None:
    opened.send(
        sender=None,
        viewer_id=viewer_id,
        student_id=student_id,
        what=what,
        object_id=object_id,
        relation=relation,
    )
