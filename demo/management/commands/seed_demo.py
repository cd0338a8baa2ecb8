import importlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jiangyan.core.pagecache import data_changed
from jiangyan.core.site import portal_apps

from ...accounts import print_accounts


def demo_seeders() -> list[tuple[str, object]]:
    """``(label, module)`` of every installed app that has a demo module, in ``INSTALLED_APPS`` order."""
    seeders = []
    for config in portal_apps():
        try:
            seeders.append((config.label, importlib.import_module(f"demo.{config.label}")))
        except ModuleNotFoundError as error:
            if error.name != f"demo.{config.label}":
                raise
    return seeders


class Command(BaseCommand):
    help = (
        "Build the demo district (DESIGN §5). Idempotent; refuses under production settings without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiply the volumes (performance work)")
        parser.add_argument("--force", action="store_true", help="run even where demo data is not allowed")
        parser.add_argument(
            "--if-empty", action="store_true", help="only seed a database without any account"
        )

    def handle(self, *args, scale: int, force: bool, if_empty: bool, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据。")
            return
        if not settings.DEMO_SEED_ALLOWED and not force:
            raise CommandError(
                "seed_demo 不在生产配置下运行（演示密码不应进入真实部署）。确需运行请加 --force。"
            )
        if scale < 1:
            raise CommandError("--scale 至少为 1。")
        for label, module in demo_seeders():
            started = time.monotonic()
            module.seed(scale=scale, stdout=self.stdout)
            self.stdout.write(f"· {label} {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        with connection.cursor() as cursor:
            # Fresh statistics for the planner: without them the first pages after a bulk load of a million
            # rows plan as if the tables were empty. On PostgreSQL VACUUM too (outside a transaction: not in
            # a test's): it marks the bulk-loaded pages all-visible, so counts are answered from the indexes.
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            statement = "VACUUM ANALYZE" if vacuum else "ANALYZE"
            cursor.execute(statement)
        self.stdout.write(f"· {statement} {time.monotonic() - started:.1f}s")
        data_changed()  # pages cached before the seed show the district now
        print_accounts(self.stdout)
