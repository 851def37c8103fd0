"""Action programmes (åtgärdsprogram): drafting by a teacher of the student or the principal,
views from the student and guardians, the principal's decision (appealable within three
weeks), follow-ups and closing. Every change rewrites the programme's card in its own
thread and is announced (``action_programme.drafted``, ``.decided``, ``.followed_up``,
``.closed``) for the notifications issue.

Refusals: ``NotFound("unknown_programme")`` for anyone who may not read the student's page
(the same answer as for a missing programme); ``Forbidden`` for a reader of the page whose
role does not allow the action.
"""

from dialogue.actions.action_programmes.decisions import close_programme, decide_programme, record_follow_up
from dialogue.actions.action_programmes.drafting import draft_programme, give_view, save_draft

__all__ = [
    "close_programme",
    "decide_programme",
    "draft_programme",
    "give_view",
    "record_follow_up",
    "save_draft",
]
