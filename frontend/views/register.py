"""The school administrator's pages of the student register (Elevregistret): where the data
comes from, the last run with its changes and problems, the older runs, and the buttons that
ask the worker for a dry run or a sync (``roster.jobs.request_sync``).

Only the school's administrators (and the operators, who administer every school) open
them; everyone else gets the outsiders' 404. Changes and problems are stored as codes with
values and said in the viewer's language by ``roster.describe``; they hold names and
classes, never civic numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.errors import NotFound
from accounts.models import School
from frontend.answers import one_button
from frontend.requests import viewer
from roster import describe
from roster.jobs import request_sync
from roster.models import RosterRun
from roster.runs import RunAtSchool, register_page, run_at_school

# The register page shows this many of the last run's changes; the run's own page all.
CHANGES_SHOWN = 100


def _administered_school(request: HttpRequest, school_id: int) -> School:
    school = policy.administered_schools(viewer(request)).filter(pk=school_id).first()
    if school is None:
        raise NotFound
    return school


@dataclass
class RunReport:
    """A run at the school, said in the viewer's language."""

    entry: RunAtSchool
    summary: str = ""
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    change_count: int = 0

    @property
    def run(self) -> RosterRun:
        return self.entry.run

    @property
    def started_by(self) -> str:
        run = self.entry.run
        if run.trigger == RosterRun.Trigger.MANUAL and run.requested_by is not None:
            return run.requested_by.display_name
        return run.get_trigger_display()

    @property
    def more_changes(self) -> int:
        return self.change_count - len(self.changes)


def _report(
    entry: RunAtSchool | None, *, changes_shown: int | None = None, details: bool = True
) -> RunReport | None:
    if entry is None:
        return None
    report = RunReport(entry)
    result = entry.result
    if result is None:
        return report
    report.summary = describe.summary(result)
    report.change_count = len(result.changes)
    if details:
        shown = result.changes if changes_shown is None else result.changes[:changes_shown]
        report.changes = [describe.describe_change(change) for change in shown]
        report.problems = [describe.describe_problem(problem) for problem in result.problems]
    return report


@login_required
def register_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _administered_school(request, school_id)
    page = register_page(school)
    return render(
        request,
        "frontend/register.html",
        {
            "school": school,
            "source": page.source,
            "pending": page.pending,
            "last": _report(page.last, changes_shown=CHANGES_SHOWN),
            "older": [_report(entry, details=False) for entry in page.older],
        },
    )


@login_required
def register_run_view(request: HttpRequest, school_id: int, run_id: int) -> HttpResponse:
    school = _administered_school(request, school_id)
    report = _report(run_at_school(school, run_id))
    return render(request, "frontend/register_run.html", {"school": school, "report": report})


@require_POST
@login_required
def register_sync_view(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _administered_school(request, school_id)
    dry_run = request.POST.get("dry_run") != "0"  # a form that says nothing only looks
    back = reverse("register", args=[school.pk])
    if dry_run:
        done = _(
            "A dry run has been asked for. Its changes are shown here when it has finished, usually "
            "within a minute; nothing is changed."
        )
    else:
        done = _(
            "A sync has been asked for. Its changes are shown here when it has finished, usually "
            "within a minute."
        )
    return one_button(
        request, lambda: request_sync(viewer(request), school.pk, dry_run=dry_run), done=done, back=back
    )
