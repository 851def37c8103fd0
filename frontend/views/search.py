"""Search in the dialogue: across every page the person may read (``/search/``) or on one
student's page (``/students/<id>/search/``). The policy filters inside the search query
(``dialogue.queries.search``); this view only reads the request and shows the answer.

The search text is the person's own and stays in the query string of their own request; it
is never logged here nor put in any other URL than the result pages' own.

Showing snippets is showing a student's records: each student whose messages are listed is
recorded in the access log as an opening of what="search": the search across pages in one
INSERT for every student shown; the one-page search whenever a search is made, hits or
none, since its answer says what that student's records hold. Following a result
opens the page through the door as usual.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import policy
from accounts.errors import Refused
from accounts.models import User
from dialogue import doors
from dialogue.queries import search as searching
from frontend.requests import viewer

# No one pages past this far in search results (and no offset scan grows without bound).
MAX_PAGE = 50


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _answer(request: HttpRequest, user: User, *, student: User | None) -> dict[str, Any]:
    """The search's part of the page: the query as searched, a problem with it, the hits."""
    raw = request.GET.get("q")
    context: dict[str, Any] = {"q": (raw or "")[: searching.MAX_QUERY_LENGTH], "searched": raw is not None}
    if raw is None:
        return context
    try:
        text = searching.clean_query(raw)
    except Refused as refusal:
        context["problem"] = refusal.message
        return context
    number = _page_number(request)
    results = searching.search(
        user,
        text,
        student_id=student.pk if student else None,
        limit=searching.PER_PAGE,
        offset=(number - 1) * searching.PER_PAGE,
    )
    # A protected guardian is not named to the child's other guardian (no query unless a
    # writer among the hits is protected).
    hidden = policy.names_hidden_from(user, [hit.message.author for hit in results.hits])
    context.update(q=text, results=results, number=number, hidden=hidden)
    return context


@require_GET
@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    context = _answer(request, user, student=None)
    results = context.get("results")
    if results is not None:
        doors.searched(user, [hit.message.page.student_id for hit in results.hits])
    return render(request, "frontend/search.html", context)


@require_GET
@login_required
def student_search_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user = viewer(request)
    # Recorded once a search is made: its answer, hits or none, says what this one student's
    # records hold. The form alone shows nothing of them.
    access = doors.student_page(user, student_id, what="search", opening=False)
    context = _answer(request, user, student=access.student)
    if context.get("results") is not None:
        doors.searched(user, [access.page.student_id], access=access)
    return render(request, "frontend/search.html", {**context, "student": access.student})
