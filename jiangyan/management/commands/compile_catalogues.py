from django.core.management.base import BaseCommand

from jiangyan.catalogues import compile_catalogues


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po to .mo (pure Python; no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="compile even when the .mo is up to date")

    def handle(self, *args, force=False, **options):
        for mo in compile_catalogues(force=force):
            self.stdout.write(f"compiled {mo}")
