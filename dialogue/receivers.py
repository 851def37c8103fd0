"""What the dialogue does when the school's memberships change: every enrolled student has a
page, and every subject taught in the student's class a thread on it, before anyone opens it
(reading never writes)."""

from __future__ import annotations

from typing import Any

from accounts.models import Enrolment, TeachingAssignment
from dialogue.actions.pages import prepare_page_for_enrolment, prepare_pages_for_teaching


def membership_saved(sender: object, membership: object, **kwargs: Any) -> None:
    """Inside the transaction that saved the membership."""
    if isinstance(membership, Enrolment):
        prepare_page_for_enrolment(membership)
    elif isinstance(membership, TeachingAssignment):
        prepare_pages_for_teaching(membership)
