"""Telling a class: the teacher publishes a written assessment for each of 28 students, and
each student and guardian (84 people) is told in the app, by push and by e-mail.

Run with the environment the tests use (PostgreSQL and Redis running; see bench/README.md):

    ELEVDIALOG_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/elevdialog \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/notify_class.py

What it does:

1. (Re)creates its own database, named after ``DATABASE_URL``'s with ``_notify_bench``
   appended (``--database-url`` names another), migrated (a copy of the migrated template:
   ``bench.common.migrated_database``).
2. Starts a local Web Push service (``tests/support/push_service.py``: it decrypts every
   push and checks its VAPID signature, as a browser and a push service do) and a local
   SMTP server (``tests/support/smtp.py``) in this process.
3. For each worker count in ``--workers`` (and ``--repeat`` times each): builds a class
   through the real actions (a maths teacher, ``--students`` students with two guardians
   each, everyone with an e-mail address and one browser subscribed to push, quiet hours
   off so the run may be at any hour), the teacher's drafts saved; starts that many
   ``manage.py run_worker`` processes; then the teacher publishes every draft, one after
   the other, as "publish all finished drafts" on the class page does.
4. Measures the teacher's side (the time to publish them all), and from the first publish
   until every notification is delivered (the in-app rows written, every push received and
   decrypted, every e-mail received): per notification, the latency from its assessment's
   publish (the moment ``publish_assessment`` returned, i.e. committed) to the in-app row,
   the push arrival and the e-mail arrival, as p50 / p95 / max, and the throughput.

With ``--fan-out`` it measures only the worker's first step instead, in this process: the
milliseconds and database queries per assessment of ``fan_out_waiting`` (``--repeat`` rounds,
``--profile N`` for where the time goes; see ``bench/notify_fanout.py``).

It prints figures only, never pass or fail. Everything shares the machine: the workers,
PostgreSQL, Redis, and this process, which publishes, decrypts the pushes and receives the
e-mails.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.smtp import SMTP, Envelope, Session  # noqa: E402

from bench.common import migrated_database  # noqa: E402
from tests.support.processes import cpu_seconds  # noqa: E402
from tests.support.push_service import PushService  # noqa: E402
from tests.support.smtp import SmtpServer  # noqa: E402
from tests.support.worker import WorkerProcess, new_vapid_private_key, worker_environment  # noqa: E402

GUARDIANS = 2
WAIT_SECONDS = 180.0  # give up on a run after this long


# --- Set-up ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=28, help="students in the class; default 28")
    parser.add_argument(
        "--workers", default="1,2", help="worker process counts to measure, comma-separated; default 1,2"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count (a new class each)")
    parser.add_argument(
        "--push-delay",
        type=float,
        default=0.0,
        help="seconds the push service takes to answer each push (a push service across the "
        "Internet answers in 50-300 ms); default 0",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or bench_database(os.environ.get("DATABASE_URL", "")),
        help="the benchmark's own database; it is dropped and created again",
    )
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "bench"), help="worker logs go here")
    parser.add_argument(
        "--fan-out",
        action="store_true",
        help="measure only the worker's fan-out, in this process (ms and queries per assessment; "
        "bench/notify_fanout.py), --repeat rounds over one class; no worker processes",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="with --fan-out: one more round under cProfile, its N costliest functions (cumulative)",
    )
    args = parser.parse_args()
    if os.environ.get("ELEVDIALOG_ENV") != "test" or not os.environ.get("REDIS_URL") or not args.database_url:
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set, as the tests do")
    args.worker_counts = [int(count) for count in args.workers.split(",")]
    return args


def bench_database(url: str) -> str:
    """``DATABASE_URL`` with ``_notify_bench`` appended to the database name."""
    if not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_notify_bench"))


def setup_django(database_url: str) -> None:
    """This process builds the class and publishes as the teacher, in test settings (as
    the suite) on the benchmark's database."""
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url})
    import django

    django.setup()


# --- The local services, with arrival times ---------------------------------------------------------


class TimedPushService(PushService):
    """Records when each push was received and decrypted, and can answer slowly."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.arrivals: list[tuple[float, str, str | None]] = []  # accepted: time, token, topic

    def _handle_push(self, token: str, headers: Mapping[str, str], body: bytes) -> Any:
        if self.delay:
            time.sleep(self.delay)
        # Accepted (2xx) only once decrypted; one that cannot be read is answered 400.
        answer = super()._handle_push(token, headers, body)
        if 200 <= answer.status < 300:
            self.arrivals.append((time.time(), token, headers.get("topic")))
        return answer


class TimedSmtpServer(SmtpServer):
    """Records when each message was accepted (``arrived_at[i]`` for ``messages[i]``)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived_at: list[float] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            self.arrived_at.append(time.time())
        return answer


# --- The class -----------------------------------------------------------------------------------------


@dataclass
class SchoolClassPlan:
    teacher: Any
    drafts: list[int]
    people: list[int]  # students and guardians: everyone to be told
    tokens: dict[str, int] = field(default_factory=dict)  # push token -> person


def build_class(label: str, students: int, push_service: PushService) -> SchoolClassPlan:
    """A class through the real actions; everyone reachable in the app, by push and by e-mail."""
    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p
    from accounts.actions import structure as s
    from accounts.models import School, Subject
    from dialogue.actions.assessments import save_draft
    from notifications import actions

    today = datetime.date.today()
    term_start = today - datetime.timedelta(days=30)
    school = School.objects.filter(name="Benchskolan").first() or s.create_school(
        SYSTEM, name="Benchskolan", municipality="Benchkommun"
    )
    year = s.ensure_school_year(SYSTEM, today)
    maths = Subject.objects.get(code="MA")
    school_class = s.create_class(SYSTEM, school, year, name=label, grade=4)

    def person(username: str, first: str) -> Any:
        return p.create_person(
            SYSTEM,
            username=username,
            first_name=first,
            last_name=label,
            email=f"{username}@bench.example.org",
        )

    teacher = person(f"teacher.{label}", "Lärare")
    m.assign_teaching(SYSTEM, teacher, school_class, maths, starts_on=term_start)
    plan = SchoolClassPlan(teacher=teacher, drafts=[], people=[])
    for number in range(students):
        student = person(f"student.{label}.{number}", "Elev")
        m.enrol_student(SYSTEM, student, school_class, starts_on=term_start)
        family = [student]
        for guardian_number in range(1, GUARDIANS + 1):
            guardian = person(f"guardian.{label}.{number}.{guardian_number}", "Vårdnadshavare")
            m.add_guardianship(SYSTEM, guardian, student, starts_on=term_start)
            family.append(guardian)
        for member in family:
            subscription = push_service.new_subscription()
            actions.subscribe_push(
                member,
                endpoint=subscription["endpoint"],
                p256dh=subscription["keys"]["p256dh"],
                auth=subscription["keys"]["auth"],
            )
            plan.tokens[subscription["endpoint"].rsplit("/", 1)[-1]] = member.pk
            actions.save_settings(
                member,
                email_mode="instant",
                digest_hour=17,
                quiet_from="00:00",
                quiet_until="00:00",
                quiet_weekends=False,
                choices={},
            )
            plan.people.append(member.pk)
        draft, _findings = save_draft(
            teacher,
            school_class,
            student,
            maths,
            levels={},
            can_text=f"Eleven {number} räknar säkert med tal upp till 1000.",
            develop_text="Nästa steg är bråk.",
        )
        plan.drafts.append(draft.pk)
    return plan


# --- Measuring ---------------------------------------------------------------------------------------


def quantiles(values: list[float], missing: int = 0) -> dict[str, float]:
    """Nearest-rank quantiles; ``missing`` samples never arrived and rank above all others."""
    ordered = sorted(values) + [math.inf] * missing
    if not ordered:
        return {}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {"min": ordered[0], "p50": at(0.5), "p95": at(0.95), "max": ordered[-1], "n": len(ordered)}


def ms(value: float) -> str:
    return f"{value * 1000:7.0f} ms" if math.isfinite(value) else "  (never)"


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@dataclass
class Result:
    workers: int
    people: int
    publish_seconds: float
    publish_each: list[float]
    all_delivered_seconds: float
    in_app: list[float]
    push: list[float]
    email: list[float]
    missing: dict[str, int]
    refused_pushes: int  # answered 4xx/5xx by the push service (400: could not be decrypted)
    events_waiting: int
    repeats: dict[str, int]
    worker_cpu: float
    machine_busy: float


def run_once(
    args: argparse.Namespace,
    label: str,
    workers: int,
    push_service: TimedPushService,
    smtp: TimedSmtpServer,
    vapid_key: str,
) -> Result:
    from dialogue.actions.assessments import publish_assessment
    from notifications.models import Delivery, Event, Notification

    plan = build_class(label, args.students, push_service)
    expected = len(plan.people)
    env = worker_environment(
        database=args.database_url,
        redis=os.environ["REDIS_URL"],
        smtp=smtp,
        vapid_private_key=vapid_key,
        DB_CONN_MAX_AGE="600",  # as in production (the test settings' default is 0)
    )
    processes = [WorkerProcess(env, Path(args.log_dir) / f"notify-{label}-{n}.log") for n in range(workers)]
    for process in processes:
        process.spawn()
    for process in processes:
        process.wait_ready(timeout=60)
    push_service.clear()
    push_service.arrivals.clear()
    smtp.clear()
    smtp.arrived_at.clear()
    cpu_before = [cpu_seconds(process.pid) for process in processes]
    busy_before = machine_busy()

    published: dict[int, float] = {}  # assessment -> when publishing it returned (committed)
    publish_each: list[float] = []
    started = time.time()
    for draft in plan.drafts:
        begun = time.time()
        publish_assessment(plan.teacher, draft)
        published[draft] = time.time()
        publish_each.append(published[draft] - begun)
    publish_seconds = time.time() - started

    people = set(plan.people)

    def pushes_in() -> int:
        return len({token for _at, token, _topic in push_service.arrivals if token in plan.tokens})

    def all_in() -> bool:
        return (
            pushes_in() >= expected
            and len(smtp.messages) >= expected
            and Notification.objects.filter(recipient__in=people).count() >= expected
        )

    wait_until(all_in, WAIT_SECONDS)
    busy_after = machine_busy()
    worker_cpu = sum(
        cpu_seconds(process.pid) - before for process, before in zip(processes, cpu_before, strict=True)
    )
    for process in processes:
        process.stop()

    # Which assessment each notification tells of, and when its row was written.
    notifications = {
        pk: (data["assessment_id"], created.timestamp())
        for pk, data, created in Notification.objects.filter(recipient__in=people).values_list(
            "pk", "event__data", "created_at"
        )
    }
    email_of = dict(
        Delivery.objects.filter(notification__in=notifications, channel="email").values_list(
            "pk", "notification"
        )
    )
    in_app = [at - published[assessment] for assessment, at in notifications.values()]
    push_latency: dict[tuple[str, str], float] = {}
    for at, token, topic in push_service.arrivals:
        if token not in plan.tokens or topic is None:
            continue
        assessment, _created = notifications[int(topic.removeprefix("n"))]
        push_latency.setdefault((token, topic), at - published[assessment])
    email_latency: dict[str, float] = {}
    arrived_at = list(smtp.arrived_at)  # (a message that came in since has no time yet)
    for mail, at in zip(smtp.messages[: len(arrived_at)], arrived_at, strict=True):
        message_id = str(mail.message["Message-ID"])
        delivery = int(message_id.removeprefix("<delivery-").split("@", 1)[0])
        assessment, _created = notifications[email_of[delivery]]
        email_latency.setdefault(message_id, at - published[assessment])
    last = max(
        [at for _assessment, at in notifications.values()]
        + [at for at, *_rest in push_service.arrivals]
        + smtp.arrived_at
    )
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    return Result(
        workers=workers,
        people=expected,
        publish_seconds=publish_seconds,
        publish_each=publish_each,
        all_delivered_seconds=last - started,
        in_app=in_app,
        push=list(push_latency.values()),
        email=list(email_latency.values()),
        missing={
            "in-app": expected - len(in_app),
            "push": expected - len(push_latency),
            "e-mail": expected - len(email_latency),
        },
        refused_pushes=sum(not push.delivered for push in push_service.received),
        events_waiting=Event.objects.filter(done_at__isnull=True).count(),
        repeats={
            "push": len(push_service.arrivals) - len(push_latency),
            "e-mail": len(smtp.messages) - len(email_latency),
        },
        worker_cpu=worker_cpu,
        machine_busy=busy,
    )


def report(result: Result, students: int) -> None:
    print(f"\n== {students} assessments, {result.people} people told, {result.workers} worker process(es)")
    each = quantiles(result.publish_each)
    print(
        f"teacher publishes all {students}: {result.publish_seconds * 1000:.0f} ms "
        f"(each: p50 {ms(each['p50']).strip()}, max {ms(each['max']).strip()})"
    )
    print(
        f"first publish -> everything delivered: {result.all_delivered_seconds * 1000:.0f} ms "
        f"({3 * result.people} deliveries: in-app, push, e-mail)"
    )
    print("latency from publish     min         p50         p95         max     samples")
    for label, values in (("in-app row", result.in_app), ("push", result.push), ("e-mail", result.email)):
        q = quantiles(values, result.missing["in-app" if label == "in-app row" else label])
        print(f"  {label:16} {ms(q['min'])}  {ms(q['p50'])}  {ms(q['p95'])}  {ms(q['max'])}  {q['n']:6.0f}")
    span = result.all_delivered_seconds
    print(
        f"throughput: {result.people / span:.0f} notifications/s, "
        f"{(len(result.push) + len(result.email)) / span:.0f} pushes + e-mails/s"
    )
    print(
        f"missing {result.missing}; repeats {result.repeats}; pushes refused "
        f"{result.refused_pushes}; events not fanned out {result.events_waiting}"
    )
    print(
        f"CPU: workers {result.worker_cpu:.2f} s in all; machine {result.machine_busy:.0%} busy "
        f"over {os.cpu_count()} cores"
    )


def main() -> None:
    args = parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    migrated_database(args.database_url)
    setup_django(args.database_url)
    name = urlsplit(args.database_url).path.lstrip("/")
    print(f"database {name} ready in {time.monotonic() - started:.0f} s; worker logs in {log_dir}")
    vapid_key = new_vapid_private_key()
    results: list[Result] = []
    push_service, smtp = TimedPushService(args.push_delay), TimedSmtpServer()
    push_service.start()
    smtp.start()
    if args.fan_out:
        from bench.notify_fanout import measure
        from dialogue.actions.assessments import publish_assessment

        try:
            measure(
                lambda: build_class("fanout", args.students, push_service),
                publish_assessment,
                max(args.repeat, 1),
                args.profile,
            )
        finally:
            push_service.stop()
            smtp.stop()
        return
    try:
        for repeat in range(args.repeat):
            for workers in args.worker_counts:
                result = run_once(args, f"{workers}w{repeat + 1}", workers, push_service, smtp, vapid_key)
                report(result, args.students)
                results.append(result)
    finally:
        push_service.stop()
        smtp.stop()
    if len(results) > 1:
        print(
            "\nworkers  publish all  all delivered  in-app p50  push p50  push p95  push max  "
            "e-mail p95  pushes+e-mails/s"
        )
        for r in results:
            in_app = quantiles(r.in_app, r.missing["in-app"])
            push = quantiles(r.push, r.missing["push"])
            email = quantiles(r.email, r.missing["e-mail"])
            print(
                f"{r.workers:7d}  {ms(r.publish_seconds)}  {ms(r.all_delivered_seconds):>13} "
                f"{ms(in_app['p50']):>11} {ms(push['p50'])} {ms(push['p95'])} {ms(push['max'])} "
                f"{ms(email['p95']):>11}  {(len(r.push) + len(r.email)) / r.all_delivered_seconds:6.0f}"
            )


if __name__ == "__main__":
    main()
