from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...accounts import demo_second_step


class Command(BaseCommand):
    help = (
        "Give the demo staff accounts the demo authenticator key and print a fresh recovery code for each "
        "(docs/security.md). Refuses under production settings."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_SEED_ALLOWED:
            raise CommandError("demo_otp runs only where the demo is allowed (local and test settings).")
        demo_second_step(self.stdout)
