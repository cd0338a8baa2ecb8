"""Backups (issue 10): ``manage.py backup`` (``make backup``) dumps the database to a dated file and
``manage.py restore`` (``make restore FILE=…``) brings it back. The test restores a backup of a seeded
district into a new database and finds every row of every table again, byte for byte."""

import io
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from jiangyan.backups import BackupError, restore_backup
from projects import services as project_services
from tests.projects.conftest import png
from tests.projects.factories import IndicatorFactory, MilestoneFactory, ProjectFactory
from tests.surveys.factories import DutyItemFactory, ResponseFactory, SuggestionFactory
from tests.wishes.factories import WishFactory
from wishes.choices import WishStatus

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump/pg_restore: the CI database is PostgreSQL"
)


def tables() -> list[str]:
    """Every table of every installed model (and many-to-many table)."""
    names = set()
    for model in apps.get_models(include_auto_created=True):
        names.add(model._meta.db_table)
    return sorted(names)


def fingerprint(cursor) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of all its rows."""
    result = {}
    for table in tables():
        rows = "coalesce(md5(string_agg(t::text, chr(10) ORDER BY t::text)), '')"
        cursor.execute(f'SELECT count(*), {rows} FROM "{table}" t')
        result[table] = cursor.fetchone()
    return result


@pytest.fixture
def district(unit_staff, community, member):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    MilestoneFactory(project=project, weight=100)
    IndicatorFactory(project=project)
    project_services.photo_add(actor=unit_staff, project=project, images=[png()], caption="现场")
    WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    ResponseFactory(community=community)
    SuggestionFactory(problem_item=DutyItemFactory(unit=unit_staff.unit).problem_item)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_new_database_has_every_row(district, tmp_path):
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path), stdout=out)
    dump, media = (Path(line) for line in out.getvalue().split())
    assert re.fullmatch(r"jiangyan-\d{8}-\d{6}\.dump", dump.name) and dump.stat().st_size > 0
    assert media.name == dump.name.replace(".dump", ".media.tar.gz")

    with connection.cursor() as cursor:
        before = fingerprint(cursor)
    assert before["projects_project"][0] == 1 and before["wishes_wish"][0] == 1

    copy = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{copy}"')
    try:
        call_command("restore", str(dump), database=copy, stdout=io.StringIO())
        restored = connection.copy()
        restored.settings_dict = {**connection.settings_dict, "NAME": copy}
        try:
            with restored.cursor() as cursor:
                after = fingerprint(cursor)
        finally:
            restored.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    missing = {
        table: (before[table], after.get(table)) for table in before if after.get(table) != before[table]
    }
    assert not missing, f"tables that differ after the restore: {missing}"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_restore_replaces_what_changed_since_and_brings_back_the_photos(district, tmp_path):
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path), stdout=out)
    dump = Path(out.getvalue().split()[0])
    photos = sorted(p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*.png"))
    assert photos
    ProjectFactory(title="备份之后新建的项目")
    for photo in Path(settings.MEDIA_ROOT).rglob("*.png"):
        photo.unlink()
    call_command("restore", str(dump), stdout=io.StringIO())
    from projects.models import Project

    assert not Project.objects.filter(title="备份之后新建的项目").exists()
    assert Project.objects.count() == 1
    assert (
        sorted(p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*.png")) == photos
    )


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    with pytest.raises(BackupError):
        restore_backup(tmp_path / "nothing.dump")
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(BackupError):
        restore_backup(other)


def test_make_restore_without_a_file_says_how():
    result = subprocess.run(["make", "-s", "restore"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "make restore FILE=" in result.stdout + result.stderr
