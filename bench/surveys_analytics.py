"""Median time of the survey analytics page (and its JSON) at 10,000 × scale demo responses.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_surveys \\
        .venv/bin/python bench/surveys_analytics.py --scale 10 [--runs 21]

Seeds the organisation and the surveys demo data at ``--scale`` when the database does not hold exactly that
(the surveys data of another scale is deleted first; the other apps' data is left alone), runs ANALYZE,
then requests ``/surveys/<id>/analytics/`` and ``.json`` as the ``supervisor`` through Django's test client
(the whole view: SQL, Python and template) and prints median, p90 and the query count. Also times the
seed itself when it runs."""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import OutputWrapper  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from demo import accounts as accounts_demo  # noqa: E402
from demo import surveys as demo  # noqa: E402
from surveys.models import ProblemCategory, ProblemItem, Response, Suggestion, Survey  # noqa: E402
from tests.clients import sign_in  # noqa: E402


def ensure_data(scale: int) -> float | None:
    expected = demo.RESPONSES * scale
    survey = Survey.objects.filter(title=demo.SURVEY_TITLE).first()
    if survey and Response.objects.filter(survey=survey).count() == expected:
        return None
    print(f"seeding surveys demo data at scale {scale} ({expected} responses)…", flush=True)
    call_command("migrate", verbosity=0)
    accounts_demo.seed(scale=1, stdout=io.StringIO())
    Suggestion.objects.all().delete()
    Survey.objects.all().delete()
    ProblemItem.objects.all().delete()
    ProblemCategory.objects.all().delete()
    started = time.monotonic()
    demo.seed(scale=scale, stdout=OutputWrapper(sys.stdout))
    elapsed = time.monotonic() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE surveys_answer")
            cursor.execute("VACUUM ANALYZE surveys_response")
    return elapsed


def timed(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm: jieba-free view, but templates and connections
    calls = []

    def count(execute, sql, params, many, context):
        calls.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], len(calls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    settings.DEBUG = False
    seeded = ensure_data(args.scale)
    setup_test_environment()
    survey = Survey.objects.get(title=demo.SURVEY_TITLE)
    client = Client()
    sign_in(client, User.objects.get(username="supervisor"))
    total = Response.objects.filter(survey=survey).count()
    print(f"database: {connection.vendor}, responses: {total}")
    if seeded is not None:
        print(f"seed (surveys, scale {args.scale}): {seeded:.1f}s")
    for label, url in (
        ("page", f"/surveys/{survey.pk}/analytics/"),
        ("json", f"/surveys/{survey.pk}/analytics.json"),
    ):
        median, p90, queries = timed(client, url, args.runs)
        print(
            f"{label:5} {url}: median {median:.0f} ms, p90 {p90:.0f} ms, {queries} queries ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
