"""Backups (issue 10): ``manage.py backup`` (``make backup``) dumps the database to a dated file and
``manage.py restore`` (``make restore FILE=…``) brings it back. The test restores a backup of a seeded
district into a new database and finds every row of every table again, byte for byte. Beat's nightly backup
(issue 21) takes one a day and keeps ``BACKUP_KEEP_DAYS`` days of them; the restore drill backs up, changes
data, restores into a throwaway database and finds the data of the backup there."""

import datetime
import io
import os
import re
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from jiangyan import backups
from jiangyan.backups import BackupError, restore_backup
from jiangyan.tasks import nightly_backup
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


@contextmanager
def throwaway_database():
    """A new, empty database on the test database's server, dropped afterwards; yields its name and a
    connection to it."""
    name = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    other = connection.copy()
    other.settings_dict = {**connection.settings_dict, "NAME": name}
    try:
        yield name, other
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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

    with throwaway_database() as (copy, restored):
        call_command("restore", str(dump), database=copy, stdout=io.StringIO())
        with restored.cursor() as cursor:
            after = fingerprint(cursor)
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


def dated(directory: Path, when: datetime.datetime, suffix: str = ".dump") -> list[Path]:
    """An (empty) backup and its photo archive as taken at ``when``."""
    stem = f"jiangyan-{when:%Y%m%d-%H%M%S}"
    files = [directory / f"{stem}{suffix}", directory / f"{stem}.media.tar.gz"]
    for path in files:
        path.write_bytes(b"old")
    return files


@pytest.mark.django_db(transaction=True)
def test_the_nightly_backup_takes_one_a_day_and_deletes_those_older_than_the_retention(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_KEEP_DAYS = 7
    now = timezone.localtime()
    expired = dated(tmp_path, now - datetime.timedelta(days=8))
    kept = dated(tmp_path, now - datetime.timedelta(days=6))
    interrupted = tmp_path / "jiangyan-20200101-023000.dump.partial"
    interrupted.write_bytes(b"half")
    os.utime(interrupted, (0, 0))
    assert backups.latest_backup().database == kept[0]  # an interrupted backup is no backup

    taken = Path(nightly_backup())
    assert taken.parent == tmp_path and taken.stat().st_size > 0
    assert not any(path.exists() for path in [*expired, interrupted])
    assert all(path.exists() for path in kept)
    assert not list(tmp_path.glob("*.partial"))
    # Delivered again the same night: the day's backup exists, no second one is taken.
    assert Path(nightly_backup()) == taken
    assert [b.database for b in backups.backups()] == [kept[0], taken]


def test_the_newest_backup_is_never_deleted_however_old(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    old = dated(tmp_path, timezone.localtime() - datetime.timedelta(days=400), ".sqlite3")
    older = dated(tmp_path, timezone.localtime() - datetime.timedelta(days=401))
    assert sorted(backups.prune_backups(keep_days=1)) == sorted(older)
    assert all(path.exists() for path in old)


def test_the_nightly_backup_is_scheduled_at_night():
    from jiangyan.celery import app

    entry = app.conf.beat_schedule["nightly-backup"]
    assert entry["task"] == nightly_backup.name
    assert (set(entry["schedule"].hour), set(entry["schedule"].minute)) == ({2}, {30})


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_restore_drill_back_up_change_restore_into_a_throwaway_database_verify(district, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    with connection.cursor() as cursor:
        backed_up = fingerprint(cursor)
    dump = Path(nightly_backup())
    from projects.models import Project
    from wishes.models import Wish

    ProjectFactory(title="备份之后新建的项目")
    Wish.objects.all().delete()
    with connection.cursor() as cursor:
        changed = fingerprint(cursor)
    assert changed != backed_up
    with throwaway_database() as (name, drill):
        call_command("restore", str(dump), database=name, stdout=io.StringIO())
        with drill.cursor() as cursor:
            restored = fingerprint(cursor)
            cursor.execute("SELECT count(*) FROM projects_project WHERE title = %s", ["备份之后新建的项目"])
            assert cursor.fetchone()[0] == 0
    assert restored == backed_up
    assert Project.objects.filter(title="备份之后新建的项目").exists()  # the live database is untouched
