"""Demo read receipts: some of the demo family members have read their child's threads, some
not, so a writer sees "Read by Sara 18:02 · not by Johan" under their messages and the
maths teacher's assessment flow shows which guardians have not seen an assessment. Reads go
through ``mark_read`` (which keeps the receipts' times); a second run changes nothing."""

from __future__ import annotations

from accounts.models import User
from dialogue.actions.messages import mark_read
from dialogue.actions.pages import page_of
from dialogue.models import Thread

# (student, thread subject code or "" for general, reader): reads the thread to its end.
READS = [
    ("alva.eriksson", "", "sara.lind"),
    ("alva.eriksson", "SV", "sara.lind"),
    ("alva.eriksson", "SV", "alva.eriksson"),
    ("alva.eriksson", "MA", "sara.lind"),  # Johan has not seen Alva's maths assessment
    ("hugo.lindqvist", "", "henrik.lindqvist"),
    ("hugo.lindqvist", "MA", "henrik.lindqvist"),
]


def seed(people: dict[str, User]) -> None:
    for student_name, subject_code, reader_name in READS:
        if student_name not in people or reader_name not in people:
            continue
        page = page_of(people[student_name])
        thread = (
            page.threads.filter(kind=Thread.Kind.SUBJECT, subject__code=subject_code).first()
            if subject_code
            else page.threads.filter(kind=Thread.Kind.GENERAL).first()
        )
        if thread is not None:
            mark_read(people[reader_name], page, thread_id=thread.pk, seq=page.last_seq)
