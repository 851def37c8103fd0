"""What an opening's noun is called on the pages that show the access log."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WHAT: dict[str, Promise] = {
    "page": _("the page"),
    "live": _("the page (live)"),
    "thread": _("a conversation's earlier messages"),
    "message": _("a message's earlier versions"),
    "attachment": _("a file"),
    "plan": _("the development plan"),
    "goals": _("the goals"),
    "self_assessments": _("the self-assessments"),
    "assessment": _("a written assessment"),
    "talks": _("the development talks"),
    "talk": _("a development talk"),
    "action_programmes": _("the action programmes"),
    "action_programme": _("an action programme"),
    "support": _("the special support"),
    "support_case": _("a report of a need for special support"),
    "openings": _("who has opened the page"),
    "archive": _("the archive"),
    "export": _("a copy of the records"),
    # A request for public records (``records.release.doors.OPENINGS``).
    "release": _("a request for public records"),
    "release_copy": _("the released copy of public records"),
    "release_decision": _("a decision on releasing public records"),
}


def what_label(what: str) -> str:
    return str(WHAT.get(what, what))
