"""Times the import of a 236-project sheet (4 milestones and 2 indicators each) in one transaction.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_projects .venv/bin/python bench/projects_import.py

Runs inside a transaction that is rolled back, so the database is left as it was. Prints the time of the
import alone (reading the workbook, validating every row, writing; wall and this process's CPU, which a busy
machine disturbs less) and of the export of the same list.
"""

import datetime
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Town, Unit, User  # noqa: E402
from demo.projects import seed_lookups  # noqa: E402
from projects import selectors, spreadsheets  # noqa: E402
from projects.models import Project  # noqa: E402
from projects.services import projects_import  # noqa: E402
from tests.projects.sheets import project_rows, workbook_bytes  # noqa: E402

COUNT = int(os.environ.get("BENCH_PROJECTS", "236"))


class Rollback(Exception):
    pass


def main() -> None:
    try:
        with transaction.atomic():
            seed_lookups()
            unit, _ = Unit.objects.get_or_create(name="区民政局")
            town, _ = Town.objects.get_or_create(name="溱潼镇")
            admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
            admin.is_superuser = True
            rows = project_rows(
                COUNT, unit=unit.name, town=town.name, start=datetime.date(2021, 5, 1), prefix="BENCH"
            )
            sheet = workbook_bytes(rows)
            size = len(sheet.getvalue())
            began, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                result = projects_import(actor=admin, upload=sheet)
            elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
            began = time.perf_counter()
            exported = spreadsheets.export_workbook(
                selectors.export_list(Project.objects.with_schedule().filter(code__startswith="BENCH-"))
            )
            export_elapsed = time.perf_counter() - began
            print(
                f"{connection.vendor}: imported {result.projects} projects, {result.milestones} milestones, "
                f"{result.indicators} indicators from a {size / 1024:.0f} KiB sheet in {elapsed:.2f} s "
                f"(CPU {cpu:.2f} s, {len(queries)} queries); exported them ({len(exported) / 1024:.0f} KiB) "
                f"in {export_elapsed:.2f} s"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
