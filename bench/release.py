"""The released copy of a public record for a full page: a student with ``--messages``
messages (2,000; every fifth with Markdown: emphasis, a link, a list), ``--photos`` photos
and ``--pdfs`` PDF files attached, and ``--maskings`` masked passages; the copy (HTML and
PDF, the PDFs appended) built as ``decide_release`` builds it; time and peak memory.

Run with the environment the tests use (PostgreSQL and Redis running; see bench/README.md):

    ELEVDIALOG_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/elevdialog \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/release.py
    ... bench/release.py --messages 100 --maskings 5      # tiny: a few seconds

What it does:

1. Uses its own database, named after ``DATABASE_URL``'s with ``_release_bench`` appended
   (``--database-url`` names another): if missing (``--fresh`` drops it first), a copy of
   the migrated template (``bench.common.migrated_database``); if it exists, migrated with
   ``manage.py migrate``.
2. Seeds, in a child process (so that the seeding's memory is not counted): a school, a
   class, a student with two guardians, a teacher and the school's registrar, made through
   the real actions, a new set each run; the attachments through the real upload action, the
   messages **bulk-inserted** (a benchmark shortcut: the send action would take minutes and
   measures something else); then the registrar registers a request for the messages and
   masks ``--maskings`` passages through the real actions.
3. Builds the copy twice in this process: once for the time (reading the documents in scope,
   the HTML, the PDF), once under ``tracemalloc`` for the peak of Python allocations
   (WeasyPrint's own C allocations, Pango's and cairo's, are not traced: ``ru_maxrss``, the
   high-water mark of the whole process, shows them). It prints the pages and sizes.

It prints figures only, never pass or fail.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_database, ensure_database, photo, setup_django

BATCH = 1000
MARKDOWN = (
    "**Veckans fokus:** bråk och decimaltal. Läs mer på [Skolverket](https://www.skolverket.se/) "
    "och öva hemma:\n\n- tio minuter om dagen\n- gärna med spel\n\n> Fråga om något är oklart."
)
PLAIN = "Idag har vi arbetat med bråk och decimaltal, och det gick riktigt bra. " * 3
MASKED = "Elin har träffat skolsköterskan om sin astma"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2_000, help="messages on the page; default 2,000")
    parser.add_argument("--photos", type=int, default=5, help="photos attached; default 5")
    parser.add_argument("--pdfs", type=int, default=2, help="PDF files attached; default 2")
    parser.add_argument("--maskings", type=int, default=50, help="masked passages; default 50")
    parser.add_argument(
        "--database-url",
        default=bench_database("release_bench"),
        help="the benchmark's own database",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if os.environ.get("ELEVDIALOG_ENV") != "test" or not os.environ.get("REDIS_URL") or not args.database_url:
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set, as the tests do")
    return args


# --- Seeding (the child process) ---------------------------------------------------------------


def pdf(number: int) -> bytes:
    from weasyprint import HTML

    pages = "".join(f"<h1>Bilaga {number}, sida {page}</h1><p>{PLAIN}</p>" for page in range(1, 4))
    data = HTML(string=f"<html><body>{pages}</body></html>").write_pdf()
    assert isinstance(data, bytes)
    return data


def seed(args: argparse.Namespace) -> None:
    import datetime
    import uuid

    from django.db.models import F
    from django.utils import timezone

    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p
    from accounts.actions import structure as s
    from accounts.models import StaffRole, Subject, User
    from dialogue.actions.attachments import upload_attachment
    from dialogue.actions.pages import page_of
    from dialogue.models import Attachment, Message, StudentPage, Thread
    from records.models import SecrecyGround
    from records.release.actions import add_masking, register_request
    from writing.rendering import render_markdown

    run = uuid.uuid4().hex[:8]
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)

    def person(role: str, first: str) -> User:
        return p.create_person(
            SYSTEM,
            username=f"{role}.{run}",
            first_name=first,
            last_name=f"Bench{run}",
            password="benchmark release horse staple",
        )

    school = s.create_school(SYSTEM, name=f"Benchskolan {run}", municipality="Umeå kommun")
    year = s.ensure_school_year(SYSTEM, today)
    school_class = s.create_class(SYSTEM, school, year, name="6B", grade=6)
    student, teacher = person("student", "Elin"), person("teacher", "Tor")
    registrar = person("registrar", "Rut")
    guardians = [person("guardian1", "Gun"), person("guardian2", "Gert")]
    m.enrol_student(SYSTEM, student, school_class, starts_on=start)
    for guardian in guardians:
        m.add_guardianship(SYSTEM, guardian, student, starts_on=start)
    m.assign_teaching(SYSTEM, teacher, school_class, Subject.objects.get(code="MA"), starts_on=start)
    m.grant_staff_role(SYSTEM, registrar, school, StaffRole.Role.REGISTRAR, starts_on=start)
    page = page_of(student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    authors = [teacher, guardians[0], *[student] * 8]
    made = 0
    while made < args.messages:
        batch = []
        for index in range(made, min(made + BATCH, args.messages)):
            seq = page.last_seq + index + 1
            if index % 5 == 0:
                body = f"{index}: {MARKDOWN}"
            elif index % 7 == 0:
                body = f"{index}: {PLAIN} {MASKED}. {PLAIN}"
            else:
                body = f"{index}: {PLAIN}"
            batch.append(
                Message(
                    page=page,
                    thread=thread,
                    author=authors[index % len(authors)],
                    client_id=uuid.uuid4(),
                    body=body,
                    body_html=render_markdown(body),
                    seq=seq,
                    change_seq=seq,
                )
            )
        Message.objects.bulk_create(batch)
        made += len(batch)
    StudentPage.objects.filter(pk=page.pk).update(last_seq=F("last_seq") + args.messages)
    messages = list(Message.objects.filter(page=page).order_by("seq").values_list("pk", flat=True))
    files = [(f"bild{index}.png", photo(300, index)) for index in range(args.photos)]
    files += [(f"bilaga{index}.pdf", pdf(index)) for index in range(args.pdfs)]
    for index, (name, data) in enumerate(files):
        attachment = upload_attachment(guardians[0], page, name=name, data=data)
        Attachment.objects.filter(pk=attachment.pk).update(message_id=messages[(index * 97) % len(messages)])
    request = register_request(
        registrar,
        student_id=student.pk,
        received_at=timezone.now(),
        requester="",
        requester_contact="",
        kinds=["messages"],
        period_from=None,
        period_to=None,
        delivery="paper",
        handler_id=registrar.pk,
    )
    ground = SecrecyGround.objects.get(provision="23 kap. 2 §")
    secret = Message.objects.filter(page=page, body__contains=MASKED).order_by("seq")[: args.maskings]
    for message in secret:
        begin = message.body.index(MASKED)
        add_masking(
            registrar,
            request.pk,
            document="message",
            document_id=message.pk,
            field="body",
            start=begin,
            end=begin + len(MASKED),
            selected=MASKED,
            ground_id=ground.pk,
        )
    print(request.pk)


# --- The build (this process) ------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    if args.seed_only:
        setup_django(args.database_url)
        seed(args)
        return
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": args.database_url}
    if not ensure_database(args.database_url, args.fresh):  # made from the migrated template if new
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')} migrated",
        f"in {time.monotonic() - started:.1f} s",
    )
    started = time.monotonic()
    seeded = subprocess.run(  # noqa: S603  (this script, with its own arguments)
        [sys.executable, __file__, *sys.argv[1:], "--seed-only", "--database-url", args.database_url],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    request_id = int(seeded.stdout.split()[-1])
    print(
        f"seeded {args.messages} messages, {args.photos} photos, {args.pdfs} PDFs and "
        f"{args.maskings} maskings in {time.monotonic() - started:.1f} s"
    )
    setup_django(args.database_url)
    measure(request_id)


def measure(request_id: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from pypdf import PdfReader

    from records.models import ReleaseRequest
    from records.release.copy import build_copy
    from records.release.documents import documents_in_scope

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    request = ReleaseRequest.objects.select_related("school", "student").get(pk=request_id)
    maskings = list(request.maskings.select_related("ground"))
    with translation.override("sv"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            documents = documents_in_scope(request)
        read = time.perf_counter() - started
        built = build_copy(request, documents, maskings, language="sv")
        total = time.perf_counter() - started
        tracemalloc.start()
        build_copy(request, documents_in_scope(request), maskings, language="sv")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pages = len(PdfReader(io.BytesIO(built.pdf)).pages)
    print(f"documents in scope: {len(documents)} in {read:.2f} s ({len(queries.captured_queries)} queries)")
    html_size, pdf_size = len(built.html) / 2**20, len(built.pdf) / 2**20
    print(f"copy: HTML {html_size:.1f} MiB, PDF {pdf_size:.1f} MiB, {pages} pages")
    print(f"time to build the copy (documents, HTML and PDF): {total:.1f} s")
    print(f"tracemalloc peak during a build: {peak / 2**20:.0f} MiB")
    print(f"ru_maxrss: {rss_before / 1024:.0f} MiB before the builds, {rss_after / 1024:.0f} MiB after")


if __name__ == "__main__":
    main()
