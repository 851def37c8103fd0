"""The written decision on a request for public records, when something is not released.

Masking and refusing are decisions that can be appealed (DOMAIN.md, "Releasing a public
record"): the document states the reference, when the request arrived, who asked (or that
they are anonymous), what was asked for, the decision, each ground used (its provision, what
it protects, the reasons given and how much it covers), who decided and when, and how to
appeal: to the administrative court of appeal (kammarrätten), sent to the school within
three weeks from the day the requester received the decision, saying which decision and what
change is wanted.

A full release needs no decision document: everything asked for is handed over, nothing is
refused, so there is nothing to appeal (the copy itself says that it was released in full
and when). ``decision_html`` is therefore made only for masking and refusal.

It is built in the active language; ``decide_release`` stores it in Swedish, the authority's
language (the English text is complete for a copy in English on request).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from records.models import Masking, ReleaseRequest
from records.release.copy import (
    copy_pdf,
    describe_use,
    element,
    facts_list,
    grounds_used,
    html_page,
    kinds_text,
    period_text,
    release_day,
)
from records.release.documents import moment

DECISION_OUTCOMES = (ReleaseRequest.Outcome.MASKED, ReleaseRequest.Outcome.REFUSED)


def decision_title() -> str:
    return _("Decision on a request for public records")


def law(provision: str) -> str:
    return _("%(provision)s of the Public Access to Information and Secrecy Act (2009:400)") % {
        "provision": provision
    }


def decision_html(request: ReleaseRequest, maskings: list[Masking] | None = None) -> str:
    """The decision document as one self-contained HTML file. Precondition: the request is
    decided (``outcome``, ``decided_by``, ``decided_at`` set, in memory at least) with
    masking or refusal; ``maskings`` are its maskings with their grounds (read when None)."""
    if request.outcome not in DECISION_OUTCOMES:
        raise ValueError("a decision document is made only for masking or refusal")
    assert request.decided_at is not None
    assert request.decided_by is not None
    if maskings is None:
        maskings = list(request.maskings.select_related("ground"))
    title = decision_title()
    school = request.school
    facts = [
        (_("Reference"), request.reference),
        (_("Authority"), f"{school.name}, {school.municipality}"),
        (_("Request received"), moment(request.received_at)),
        (_("Requester"), request.requester or _("Anonymous")),
        (_("Documents requested"), ", ".join(kinds_text(request))),
        (_("Concerning the student"), request.student.display_name),
        (_("Period"), period_text(request)),
    ]
    body = [
        '<header class="release-header">'
        f'<p class="reference">{escape(request.reference)}</p>'
        f'<p class="phrase">{escape(title)}</p>'
        f'<p class="date">{escape(release_day(request).isoformat())}</p></header>\n',
        f"<h1>{escape(title)}</h1>\n",
        facts_list(facts),
        element("h2", _("Decision")) + "\n",
    ]
    if request.outcome == ReleaseRequest.Outcome.MASKED:
        body.append(
            "<p>"
            + escape(
                _(
                    "The documents are released with masking. The masked passages and the documents and "
                    "files withheld are not released, because they are confidential under the provisions "
                    "below. Everything else is released."
                )
            )
            + "</p>\n"
        )
        body.append(element("h2", _("Grounds")) + '\n<ul class="grounds">')
        for use in grounds_used(maskings):
            reasons = "".join(f"<li>{escape(reason)}</li>" for reason in use.reasons)
            body.append(
                f"<li><p><strong>{escape(law(use.ground.provision))}</strong> – {escape(use.ground.title)}. "
                f"{escape(describe_use(use))}.</p>"
                + (element("p", _("Reasons:")) + f"<ul>{reasons}</ul>" if reasons else "")
                + "</li>"
            )
        body.append("</ul>\n")
    else:
        ground = request.refusal_ground
        assert ground is not None
        body.append(
            "<p>"
            + escape(
                _("The request is refused: the documents are not released, because they are confidential.")
            )
            + "</p>\n"
        )
        body.append(element("h2", _("Grounds")) + "\n")
        body.append(f"<p><strong>{escape(law(ground.provision))}</strong> – {escape(ground.title)}.</p>\n")
        if request.refusal_reason.strip():
            body.append(element("p", _("Reasons:") + " " + request.refusal_reason.strip()) + "\n")
    decided = [
        (_("Decided by"), request.decided_by.display_name),
        (_("Decided on"), timezone.localdate(request.decided_at).isoformat()),
    ]
    body.append(facts_list(decided))
    body.append(_appeal(request))
    return html_page(
        title=f"{request.reference} – {title}",
        language=_language(),
        header=f"{request.reference} · {title} · {release_day(request).isoformat()}",
        body="".join(body),
    )


def _appeal(request: ReleaseRequest) -> str:
    paragraphs = [
        _("You can appeal this decision to the administrative court of appeal (kammarrätten)."),
        _(
            "Send the appeal in writing to %(school)s, not to the court. It must have reached the school "
            "within three weeks from the day you received this decision; an appeal that arrives later "
            "cannot be tried."
        )
        % {"school": request.school.name},
        _(
            "In the appeal, say which decision you appeal (give the reference %(reference)s) and what change "
            "you want. You may also say why you think the decision is wrong."
        )
        % {"reference": request.reference},
        _(
            "The school first checks that the appeal arrived in time and whether it should change the "
            "decision itself; otherwise it sends the appeal on to the court."
        ),
    ]
    return (
        '<section class="appeal">'
        + element("h2", _("How to appeal"))
        + "\n"
        + "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in paragraphs)
        + "</section>\n"
    )


def _language() -> str:
    return (get_language() or "sv").split("-")[0]


def decision_pdf(html: str) -> bytes:
    """The decision's PDF, through the copy's PDF function (its header is its own)."""
    return copy_pdf(html)
