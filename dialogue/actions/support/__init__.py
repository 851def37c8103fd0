"""Special support before the action programme (DOMAIN.md, "Special support"): extra
adaptations and their follow-ups, the report to the principal, the principal's decisions
(investigate or not; the outcome, which drafts an action programme or is a decision not to
write one), and the views of the student and guardians. Every change rewrites the
document's card and is announced (``adaptation.*``, ``support.*``).

Refusals: ``NotFound`` for anyone who may not read the student's page (the same answer as
for a missing document); ``Forbidden`` for a reader whose role does not allow the action;
``Refused`` for bad input or a decision already taken.
"""

from dialogue.actions.support.adaptations import follow_up_adaptation, record_adaptation
from dialogue.actions.support.cases import add_support_view, report_support_need
from dialogue.actions.support.decisions import decide_investigation, record_support_outcome

__all__ = [
    "add_support_view",
    "decide_investigation",
    "follow_up_adaptation",
    "record_adaptation",
    "record_support_outcome",
    "report_support_need",
]
