"""How long the monthly dispatch (and the other reports) take to generate, and the dashboard's median time,
on a seeded demo database of any scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_sup   .venv/bin/python bench/supervision_reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_sup10 .venv/bin/python bench/supervision_reports.py

The database must hold the demo (``manage.py seed_demo --scale N``). Runs ANALYZE, then times the generation
of the last complete week's, 旬's and month's report (``services.report_generate``: every selector, the
ranking, the rendered page, the stored row — inside a transaction rolled back, so nothing changes), each
``--runs`` times, and ``/dashboard/`` as the ``supervisor`` through Django's test client (the whole view).
Prints median, p90 and the query count of each."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from jiangyan.core.pagecache import data_changed  # noqa: E402
from jiangyan.core.periods import last_complete  # noqa: E402
from projects.models import Project  # noqa: E402
from supervision import services  # noqa: E402
from supervision.choices import PERIOD_OF, ReportKind  # noqa: E402
from tests.clients import sign_in  # noqa: E402


class Rollback(Exception):
    pass


def _summary(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)]


def time_report(kind: str, runs: int) -> tuple[float, float, int]:
    period = last_complete(PERIOD_OF[kind], timezone.localdate())
    times, queries = [], 0
    for run in range(runs + 1):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    services.report_generate(kind=kind, period=period, force=True)
                    elapsed = (time.perf_counter() - started) * 1000
                raise Rollback
        except Rollback:
            pass
        if run:  # the first run warms templates and connections
            times.append(elapsed)
            queries = len(captured)
    return (*_summary(times), queries)


def time_dashboard(runs: int, *, fresh: bool) -> tuple[float, float, int]:
    """``fresh``: the data changes before every request (the first visit after a change computes the
    figures); otherwise the figures computed once are reused, as between two changes."""
    client = Client()
    sign_in(client, User.objects.get(username="supervisor"))
    client.get("/dashboard/")
    times = []
    for _ in range(runs + 1):
        if fresh:
            data_changed()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return (*_summary(times[1:]), len(captured))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{Project.objects.count()} projects, database {connection.settings_dict['NAME']}, {args.runs} runs"
    )
    setup_test_environment()
    for kind in (ReportKind.MONTHLY, ReportKind.TENDAY, ReportKind.WEEKLY):
        median, p90, queries = time_report(kind, args.runs)
        print(f"{kind:8} generation: median {median:6.0f} ms, p90 {p90:6.0f} ms, {queries} queries")
    for fresh, label in ((True, "after a change"), (False, "between changes")):
        median, p90, queries = time_dashboard(args.runs, fresh=fresh)
        print(f"/dashboard/ {label:15}: median {median:6.0f} ms, p90 {p90:6.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()
