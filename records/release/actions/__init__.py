"""Handling a request for public records: register it, mask what is confidential, decide,
and record that the copy went out.

Every action takes ids, computes the actor's relation to the student once
(``may_handle_release``: the registrar or the principal of the student's school), answers
anyone else as if the request did not exist (``NotFound``), refuses bad input with a
``Refused`` naming the field, and writes in one transaction on the locked request row.

Deciding builds the released copy (HTML and PDF, unless refused) and the decision document
(masking or refusal) and stores them in the private storage under random names. If anything
fails, the transaction rolls back and the files written so far are removed: nothing is
half-saved.
"""

from records.release.actions.deciding import copy_for, decide_release, preview_html
from records.release.actions.marking import add_masking, remove_masking
from records.release.actions.registering import record_delivery, register_request, school_of_student

__all__ = [
    "add_masking",
    "copy_for",
    "decide_release",
    "preview_html",
    "record_delivery",
    "register_request",
    "remove_masking",
    "school_of_student",
]
