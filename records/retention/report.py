"""The purge's report, for a terminal or a log: students by internal id with their leaving
date and reason, blogs by id with their class and school year, and counts per record kind.
Never a name, a username or a civic number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from records.retention.purge import Removal, RunResult


def _counts(removal: Removal) -> Iterator[str]:
    width = max((len(name) for name in removal.counts), default=0)
    for name, count in sorted(removal.counts.items()):
        yield f"    {name:<{width}}  {count:>7}"
    if removal.files:
        yield f"    {'stored files':<{width}}  {len(removal.files):>7}"
    if removal.guardians:
        yield f"    guardian accounts left alone, removed with the last child: {removal.guardians}"


def report_lines(result: RunResult, *, dry_run: bool) -> Iterator[str]:
    verb = "would remove" if dry_run else "removed"
    passive = "would be removed" if dry_run else "removed"
    if result.files_finished:
        yield f"Finished {result.files_finished} file removal(s) left by an earlier run."
    for due, removal in result.students:
        yield (
            f"Student #{due.student_id}: left {due.left_on:%Y-%m-%d} ({due.reason}), "
            f"due {due.due_on:%Y-%m-%d}; {verb}:"
        )
        yield from _counts(removal)
    for blog, removal in result.blogs:
        yield (
            f"Class blog #{blog.blog_id} (class #{blog.class_id} {blog.class_name}, {blog.year_label}, "
            f"ended {blog.year_ended:%Y-%m-%d}), due {blog.due_on:%Y-%m-%d}; {verb}:"
        )
        yield from _counts(removal)
    total: Counter[str] = Counter()
    for _subject, removal in [*result.students, *result.blogs]:
        total += removal.counts
    files = sum(len(removal.files) for _subject, removal in [*result.students, *result.blogs])
    yield (
        f"{'Dry run: nothing removed. ' if dry_run else ''}{len(result.students)} student(s), "
        f"{len(result.blogs)} class blog(s), {sum(total.values())} row(s) and {files} file(s) {passive}."
    )
