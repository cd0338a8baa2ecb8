"""The demo district, seeded once for the tests of this package (``seed_demo`` at scale 1, about 10 s) in
a transaction rolled back at the end; each test runs in a savepoint inside it, as usual."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="package")
def district_media(tmp_path_factory):
    return tmp_path_factory.mktemp("district-media")


@pytest.fixture(scope="package")
def district(django_db_setup, django_db_blocker, district_media):
    """The output of ``seed_demo``; the data stays until the last test of the package has run."""
    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=district_media):
        with transaction.atomic():
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)
