"""What each page costs when it is not in the cache (the first visitor after a change of the data): one
request at a time through Django's test client on production settings (``bench.settings``), every cache
of whole pages and lists turned off. For each page: the median and p90 of ``--runs`` requests and the
median of this process's CPU time (less noisy than the wall clock on a busy machine), then one more
request to count its queries and their time; queries over 8 ms are named. Template fragments cached
by what they show (``{% cache %}`` with the data's version) stay on, as they do for the first visitor after
a change elsewhere; ``--cold`` empties them before every request (the first visitor after a change of what
the fragment shows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_bench10 .venv/bin/python bench/pages.py [--runs 11]
        [--only /wishes/] [--cold] [--profile] [--json var/bench-pages.json]

``--only`` keeps the pages whose reader or URL contains the text; ``--profile`` prints a pyinstrument
profile of one more request of each page kept. The goal (issue #17): every median at most 15 ms, the
dashboard 40 ms, at 10× and at most twice that at 100×.
"""

import argparse
import json
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
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from projects.models import Project  # noqa: E402
from supervision.models import Report  # noqa: E402
from tests.clients import sign_in  # noqa: E402

GOAL_MS = 15
DASHBOARD_GOAL_MS = 40


def busiest_member() -> str:
    """The party member with the most claims: the heaviest ``/wishes/mine/claims/``."""
    member = (
        User.objects.filter(groups__name="party_member")
        .annotate(n=Count("claimed_wishes"))
        .order_by("-n", "pk")
        .values_list("username", flat=True)
        .first()
    )
    return member or "member01"


def pages() -> list[tuple[str | None, str]]:
    """``(reader, url)``: ``None`` is anonymous, ``token`` the resident with an API token, otherwise a
    username signed in through the session."""
    code = Project.objects.filter(is_public=True).order_by("code")[0].code
    bulletin = Report.objects.published().order_by("-period_start").first()
    bulletin_url = f"/bulletins/{bulletin.pk}/" if bulletin else "/bulletins/"
    member = busiest_member()
    public = ["/", "/projects/", "/projects/?behind=1", f"/projects/{code}/", "/wishes/", "/bulletins/"]
    api = [
        "/api/v1/projects/",
        "/api/v1/wishes/",
        "/api/v1/surveys/",
        "/api/v1/reports/",
        "/api/v1/towns/",
        "/api/v1/communities/",
        "/api/v1/units/",
    ]
    staff_api = [
        "/api/v1/orders/",
        "/api/v1/inspections/",
        "/api/v1/notifications/",
        "/api/v1/surveys/responses/",
        "/api/v1/surveys/suggestions/",
        "/api/v1/surveys/problem-items/",
        "/api/v1/surveys/duty-items/",
    ]
    return [
        *[(None, url) for url in [*public, "/wishes/track/", bulletin_url, *api]],
        ("token", "/api/v1/wishes/"),
        *[(member, url) for url in [*public, "/wishes/mine/claims/", "/api/v1/wishes/"]],
        ("unit_staff", "/projects/workspace/"),
        ("unit_staff", "/projects/"),
        ("unit_staff", "/surveys/duties/"),
        ("unit_staff", "/orders/"),
        ("community_staff", "/wishes/manage/"),
        ("community_staff", "/wishes/"),
        ("supervisor", "/dashboard/"),
        ("supervisor", "/surveys/duties/"),
        ("supervisor", "/orders/"),
        ("supervisor", "/reports/"),
        ("supervisor", "/projects/"),
        *[("supervisor", url) for url in [*api, *staff_api]],
        ("admin", "/audit/"),
    ]


def client_for(who: str | None) -> tuple[Client, dict]:
    client, headers = Client(HTTP_HOST="127.0.0.1"), {}
    if who == "token":
        token, _ = Token.objects.get_or_create(user=User.objects.get(username="resident"))
        headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    elif who:
        sign_in(client, User.objects.get(username=who))  # the second step passed, as staff must
    return client, headers


def measure(who, url, *, runs: int, cold: bool) -> dict:
    client, headers = client_for(who)
    fragments = caches[settings.FRAGMENT_CACHE_ALIAS]  # with the default alias: the whole cache
    client.get(url, **headers)  # warm the process (templates, the session in the cache)
    times, cpu = [], []
    for _ in range(runs):
        if cold:
            fragments.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        status = client.get(url, **headers).status_code
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    if cold:
        fragments.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    times.sort()
    return {
        "reader": who or "anonymous",
        "url": url,
        "status": status,
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "python_cpu_ms": round(statistics.median(cpu), 1),
        "queries": len(queries),
        "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
        "slow": [
            (round(float(q["time"]) * 1000), q["sql"][:160])
            for q in queries.captured_queries
            if float(q["time"]) * 1000 > 8
        ],
    }


def profile(who, url) -> None:
    from pyinstrument import Profiler

    client, headers = client_for(who)
    client.get(url, **headers)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    client.get(url, **headers)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--only", default="", help="keep the pages whose reader or URL contains this")
    parser.add_argument("--cold", action="store_true", help="empty the fragment cache before each request")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    settings.PAGE_CACHE_SECONDS = 0
    call_command("collectstatic", "--noinput", verbosity=0)  # production settings serve from the manifest
    chosen = [(w, u) for w, u in pages() if args.only in u or args.only in (w or "anonymous")]
    load = os.getloadavg()
    print(
        f"{Project.objects.count()} projects, database {connection.settings_dict['NAME']}, {args.runs} runs,"
        f" load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    results = []
    for who, url in chosen:
        if args.profile:
            print(f"--- {who or 'anonymous'} {url}")
            profile(who, url)
            continue
        row = measure(who, url, runs=args.runs, cold=args.cold)
        goal = DASHBOARD_GOAL_MS if url == "/dashboard/" else GOAL_MS
        mark = "" if row["median_ms"] <= goal else "  > goal"
        print(
            f"{row['status']} {row['median_ms']:6.1f} ms (p90 {row['p90_ms']:6.1f})  {row['queries']:3d} q "
            f"{row['sql_ms']:5.1f} ms SQL {row['python_cpu_ms']:5.1f} ms CPU  {row['reader']:15} {url}{mark}"
        )
        for ms, sql in row["slow"]:
            print(f"      {ms} ms  {sql}")
        results.append(row)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"load": load, "pages": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
