"""Development talks (utvecklingssamtal): a teacher of the class opens bookable slots, each
guardian books one for their child (separated guardians the same talk or one each), moves
or cancels it until it starts, the student and guardians prepare on the page, and afterwards
the teacher records the IUP summary and the agreements.

Every booked talk has a thread of its own on the student's page with a card that changes in
place when someone joins, leaves, moves or cancels, and when the agreements are recorded.

Double booking is impossible: a booking locks the student's row and then the slot's row
(``select_for_update``; always in that order, so two bookings cannot deadlock), and the
partial unique constraint ``one_talk_per_slot`` refuses a second live talk in a slot even
if a caller skipped the lock.
"""

from dialogue.actions.talks.bookings import book_talk, cancel_booking, join_talk, move_booking
from dialogue.actions.talks.records import add_preparation, record_talk, send_talk_reminders
from dialogue.actions.talks.slots import cancel_talk_slot, open_talk_slots

__all__ = [
    "add_preparation",
    "book_talk",
    "cancel_booking",
    "cancel_talk_slot",
    "join_talk",
    "move_booking",
    "open_talk_slots",
    "record_talk",
    "send_talk_reminders",
]
