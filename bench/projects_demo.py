"""Times the projects demo seed (236 × scale projects with milestones, statements and ratings).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_projects .venv/bin/python bench/projects_demo.py

Runs inside a transaction that is rolled back, so the database is left as it was. Goal: under 15 s at
scale 1 (``manage.py seed_demo`` on a fresh clone should not keep anybody waiting).
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from demo import accounts as accounts_demo  # noqa: E402
from demo import projects as projects_demo  # noqa: E402
from projects.models import Evaluation, Milestone, ProgressStatement, Project  # noqa: E402

SCALE = int(os.environ.get("BENCH_SCALE", "1"))


class Rollback(Exception):
    pass


def main() -> None:
    try:
        with transaction.atomic():
            if Project.objects.filter(code__startswith=projects_demo.code_prefix()).exists():
                sys.exit("the demo projects are already in this database; use an empty one")
            accounts_demo.seed(scale=SCALE, stdout=io.StringIO())
            began = time.perf_counter()
            projects_demo.seed(scale=SCALE, stdout=io.StringIO())
            elapsed = time.perf_counter() - began
            print(
                f"{connection.vendor}: seeded {Project.objects.count()} projects, "
                f"{Milestone.objects.count()} milestones, {ProgressStatement.objects.count()} statements, "
                f"{Evaluation.objects.count()} ratings at scale {SCALE} in {elapsed:.2f} s"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
