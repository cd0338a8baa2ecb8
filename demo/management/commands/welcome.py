from django.conf import settings
from django.core.management.base import BaseCommand

from ...accounts import demo_second_step, print_accounts


class Command(BaseCommand):
    help = "Print where the portal runs and the demo accounts (used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port: int, **options):
        database = settings.DATABASES["default"]
        where = (
            database["NAME"]
            if database["ENGINE"].endswith("sqlite3")
            else f"{database['HOST']}/{database['NAME']}"
        )
        self.stdout.write("")
        self.stdout.write(f"姜堰区“我为群众办实事”平台： http://127.0.0.1:{port}/")
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(f"  后台 {base}/admin/   API 文档 {base}/api/docs/   健康检查 {base}/healthz")
        self.stdout.write(f"  数据库 {where}；消息队列 {settings.CELERY_BROKER_URL.split('@')[-1]}")
        print_accounts(self.stdout)
        if settings.DEMO_SEED_ALLOWED:
            demo_second_step(self.stdout)
        self.stdout.write("Ctrl-C 同时停止网站、Celery worker 与 beat。\n")
