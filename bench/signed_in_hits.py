"""What a signed-in reader's request costs when the page is in the cache (issue #17: signed-in pages at
25 % and more of a bare view): in-process, through Django's test client on production settings
(``bench.settings``), the median of ``--runs`` hits of each of ``bench/load.py``'s signed-in targets, with
the queries one hit runs, next to an anonymous hit of the home page and the bare view ``/__bare__``
through the same middleware.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_bench10 CACHE_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/signed_in_hits.py [--runs 500]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import client_for  # noqa: E402  (sets Django up)

TARGETS = [
    (None, "/__bare__"),
    (None, "/"),
    ("member01", "/wishes/"),
    ("member01", "/wishes/mine/claims/"),
    ("unit01", "/projects/workspace/"),
    ("supervisor", "/dashboard/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    settings.PAGE_CACHE_SECONDS = settings.PAGE_CACHE_SECONDS or 600
    call_command("collectstatic", "--noinput", verbosity=0)
    load = os.getloadavg()
    print(f"database {connection.settings_dict['NAME']}, {args.runs} hits each, load {load[0]:.1f}")
    for who, url in TARGETS:
        client, headers = client_for(who)
        for _ in range(3):  # the page and the reader's own parts into the cache
            response = client.get(url, **headers)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **headers)
        count = len(queries)  # read now: the next request empties Django's query log
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url, **headers)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{response.status_code} {response.get('X-Page-Cache', '-'):5} "
            f"{statistics.median(times):5.2f} ms "
            f"{count:2d} q  {who or 'anonymous':11} {url}"
        )
    load = os.getloadavg()
    print(f"load at the end {load[0]:.1f}")


if __name__ == "__main__":
    main()
