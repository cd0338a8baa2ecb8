"""``manage.py generate_report {weekly,tenday,monthly} --period YYYY-MM-DD``: generate the report of the
period containing that day now (again, if it exists: its content is replaced, never duplicated). Without
``--period``: every period that has ended and has no report (beat's catch-up)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from jiangyan.core.exceptions import ApplicationError
from supervision import services
from supervision.choices import ReportKind


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--period 应为日期 YYYY-MM-DD，收到 {value!r}") from error


class Command(BaseCommand):
    help = "Generate a supervision report (周督促 weekly, 旬通报 tenday, 月调度 monthly) for a period."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--period", type=_day, help="any day of the period (YYYY-MM-DD)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="also regenerate an approved or published report (back to draft)",
        )
        parser.add_argument(
            "--notify", action="store_true", help="send the weekly reminder's notifications for that week"
        )

    def handle(self, *args, kind: str, period: datetime.date | None, force: bool, notify: bool, **options):
        try:
            if period is None:
                reports = services.report_catch_up(kind=kind)
            else:
                reports = [
                    services.report_generate(
                        kind=kind,
                        period=services.report_period(kind, period),
                        force=force,
                        notify_recipients=notify,
                    )
                ]
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for report in reports:
            status = report.get_status_display()
            self.stdout.write(f"{report.title}：{status}，第 {report.generation} 次生成（#{report.pk}）")
        if not reports:
            self.stdout.write("没有需要生成的报告。")
