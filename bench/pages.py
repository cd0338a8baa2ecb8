"""What each page costs when it is not in the cache (the first visitor after a change of the data): one
request at a time through Django's test client on production settings (``bench.settings``), the page
cache turned off. Median of ``--runs`` requests, its query count and SQL time; queries over 8 ms are named.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_bench10 .venv/bin/python bench/pages.py [--runs 11]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from projects.models import Project  # noqa: E402
from supervision.models import Report  # noqa: E402


def pages() -> list[tuple[str | None, str]]:
    code = Project.objects.filter(is_public=True).order_by("code")[0].code
    bulletin = Report.objects.published().order_by("-period_start").first()
    return [
        (None, "/"),
        (None, "/projects/"),
        (None, "/projects/?behind=1"),
        (None, f"/projects/{code}/"),
        (None, "/wishes/"),
        (None, "/wishes/track/"),
        (None, "/bulletins/"),
        (None, f"/bulletins/{bulletin.pk}/" if bulletin else "/bulletins/"),
        (None, "/api/v1/projects/"),
        ("token", "/api/v1/wishes/"),
        ("supervisor", "/dashboard/"),
        ("supervisor", "/surveys/duties/"),
        ("supervisor", "/orders/"),
        ("unit_staff", "/projects/workspace/"),
        ("community_staff", "/wishes/manage/"),
        ("admin", "/audit/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    settings.PAGE_CACHE_SECONDS = 0
    print(
        f"{Project.objects.count()} projects, database {connection.settings_dict['NAME']}, {args.runs} runs"
    )
    for who, url in pages():
        client, headers = Client(HTTP_HOST="127.0.0.1"), {}
        if who == "token":
            token, _ = Token.objects.get_or_create(user=User.objects.get(username="resident"))
            headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
        elif who:
            client.force_login(User.objects.get(username=who))
        client.get(url, **headers)
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                status = client.get(url, **headers).status_code
                times.append((time.perf_counter() - started) * 1000)
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{status} {statistics.median(times):7.1f} ms  {len(queries):3d} queries {sql:6.1f} ms SQL  "
            f"{who or 'anonymous':15} {url}"
        )
        for query in queries.captured_queries:
            if float(query["time"]) * 1000 > 8:
                print(f"      {float(query['time']) * 1000:.0f} ms  {query['sql'][:160]}")


if __name__ == "__main__":
    main()
