"""The worker's fan-out alone, measured in this process (``notify_class.py --fan-out``).

The class is built as for the end-to-end runs, and its drafts are published with no worker
running; then ``fan_out_waiting`` (what a worker's round does first: claim the waiting events,
write each one's notifications and deliveries, publish the unread counts) takes them all, in
this process, ``rounds`` times over the same events (their notifications removed in between).
It prints the milliseconds (wall clock, and this process's CPU: PostgreSQL's share is in the
first only) and database queries (BEGIN and COMMIT left out) per assessment of each round and
their median, and with ``profile`` the functions where one more round spends
its time. Nothing is sent: the deliveries stay queued.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(
    build: Callable[[], Any], publish: Callable[[Any, int], object], rounds: int, profile: int
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.fanout import fan_out_waiting
    from notifications.models import Event, Notification

    plan = build()
    while fan_out_waiting():  # what building the class announced is not measured
        pass
    first = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for draft in plan.drafts:
        publish(plan.teacher, draft)
    events = Event.objects.filter(pk__gt=first)
    assessments = len(plan.drafts)
    print(
        f"\n== fan-out in this process: {assessments} assessments, {len(plan.people)} people, "
        f"{events.count()} events"
    )

    def again() -> None:
        Notification.objects.filter(event__in=events).delete()  # their deliveries go with them
        events.update(done_at=None, claimed_until=None, attempts=0, last_error="")

    figures: list[tuple[float, float, float]] = []
    for number in range(1, rounds + 1):
        again()
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            while fan_out_waiting():  # batches of 50, as the worker takes them
                pass
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
        told = Notification.objects.filter(event__in=events).count()
        statements = [query for query in captured if query["sql"] not in ("BEGIN", "COMMIT")]
        figures.append((took * 1000 / assessments, cpu * 1000 / assessments, len(statements) / assessments))
        print(
            f"round {number}: {took * 1000:6.0f} ms in all; per assessment {figures[-1][0]:6.1f} ms "
            f"({figures[-1][1]:5.1f} ms CPU of this process), {figures[-1][2]:5.1f} queries "
            f"({told} notifications)"
        )
    print(
        f"median of {rounds}: {statistics.median(f[0] for f in figures):.1f} ms "
        f"({statistics.median(f[1] for f in figures):.1f} ms CPU of this process) and "
        f"{statistics.median(f[2] for f in figures):.1f} queries per assessment"
    )
    if profile:
        again()
        profiler = cProfile.Profile()
        profiler.enable()
        while fan_out_waiting():
            pass
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
        print(out.getvalue())
