"""Times the largest xlsx downloads, laid out for print (``jiangyan.helpers.xlsx``), on the database's data:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_demo .venv/bin/python bench/exports.py

The responses of the most answered survey (``rows_file``: streamed, every row's height computed), the whole
project list (``print_ready`` over three sheets) and the audit log. Each is built twice and the faster time
printed, rows read first so the figure is the workbook's own cost. Reads only.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangyan.settings.local")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402

from accounts.models import User  # noqa: E402
from jiangyan.core import selectors as site_selectors  # noqa: E402
from jiangyan.helpers import xlsx  # noqa: E402
from projects import selectors as project_selectors  # noqa: E402
from projects import spreadsheets  # noqa: E402
from surveys import selectors as survey_selectors  # noqa: E402
from surveys.models import Survey  # noqa: E402


def best_of_two(build) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(2):
        start = time.perf_counter()
        size = build()
        times.append(time.perf_counter() - start)
    return min(times), size


def spooled_size(spool) -> int:
    with spool:
        spool.seek(0, 2)
        return spool.tell()


def main() -> None:
    survey = Survey.objects.annotate(n=Count("responses")).order_by("-n").first()
    header, rows = survey_selectors.responses_table(survey)
    rows = list(rows)
    seconds, size = best_of_two(lambda: spooled_size(xlsx.rows_file(header, iter(rows), title="答卷")))
    print(f"responses: {len(rows):,} rows × {len(header)} columns  {seconds:.2f} s  {size / 1024:.0f} KiB")

    admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
    projects = list(project_selectors.export_list(project_selectors.project_list(user=admin)))
    seconds, size = best_of_two(lambda: len(spreadsheets.export_workbook(projects)))
    print(f"project list: {len(projects):,} projects  {seconds:.2f} s  {size / 1024:.0f} KiB")

    events = list(site_selectors.audit_rows(site_selectors.audit_log()))
    audit_header = site_selectors.audit_header()
    seconds, size = best_of_two(
        lambda: spooled_size(xlsx.rows_file(audit_header, iter(events), title="操作记录"))
    )
    print(f"audit log: {len(events):,} events  {seconds:.2f} s  {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
