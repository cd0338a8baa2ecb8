"""Backups of the database and the uploaded files: ``make backup`` / ``make restore FILE=…``
(``manage.py backup`` / ``manage.py restore``).

A backup is a dated file under ``var/backups/`` (``BACKUP_DIR``): ``jiangyan-20210601-083000.dump``, made by
``pg_dump`` in its custom format (PostgreSQL) or a copy through SQLite's online backup (the embedded
default), with the uploaded photos beside it as ``….media.tar.gz``. Each file is written under a temporary
name and renamed once complete, so an interrupted backup leaves no file that looks like one. Beat takes one
nightly (``jiangyan.tasks.nightly_backup``) and deletes those older than ``BACKUP_KEEP_DAYS``, never the
newest. Restoring replaces the database's contents with the backup's in one transaction, and the photos when
their archive is there."""

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

MEDIA_SUFFIX = ".media.tar.gz"
PARTIAL = ".partial"
NAME = re.compile(r"jiangyan-(\d{8}-\d{6})\.(dump|sqlite3)")


class BackupError(Exception):
    pass


@dataclass
class Backup:
    database: Path
    media: Path | None

    @property
    def taken(self) -> datetime.datetime:
        stamp = NAME.fullmatch(self.database.name).group(1)
        return timezone.make_aware(datetime.datetime.strptime(stamp, "%Y%m%d-%H%M%S"))


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _is_postgres(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def _database_settings(alias: str = "default") -> dict:
    """The settings of ``alias`` as connected now (under the test runner, the test database)."""
    return connections[alias].settings_dict


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _partial(target: Path) -> Path:
    return target.with_name(target.name + PARTIAL)


def _media_archive(target: Path) -> Path | None:
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        return None
    # Photos are compressed already: the fastest gzip level, so the nightly run stays short.
    with tarfile.open(_partial(target), "w:gz", compresslevel=1) as archive:
        archive.add(media, arcname="media")
    os.replace(_partial(target), target)
    return target


def create_backup(*, directory: Path | None = None, alias: str = "default") -> Backup:
    """Dump the database (and archive the uploads) to a new dated file; return their paths."""
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"jiangyan-{timezone.localtime():%Y%m%d-%H%M%S}"
    db = _database_settings(alias)
    # The photos first: a complete database file is what makes a backup (latest_backup).
    media = _media_archive(directory / f"{stem}{MEDIA_SUFFIX}")
    if _is_postgres(alias):
        target = directory / f"{stem}.dump"
        dump = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={_partial(target)}"]
        _run([*dump, db["NAME"]], _pg_env(db))
    else:
        target = directory / f"{stem}.sqlite3"
        source = sqlite3.connect(db["NAME"])
        try:
            with sqlite3.connect(_partial(target)) as copy:
                source.backup(copy)
        finally:
            source.close()
    os.replace(_partial(target), target)
    return Backup(database=target, media=media)


def _media_of(database: Path) -> Path:
    return database.with_name(database.name.rsplit(".", 1)[0] + MEDIA_SUFFIX)


def backups(directory: Path | None = None) -> list[Backup]:
    """The complete backups in ``directory``, oldest first."""
    directory = Path(directory or backup_dir())
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if NAME.fullmatch(path.name):
            media = _media_of(path)
            found.append(Backup(database=path, media=media if media.is_file() else None))
    return sorted(found, key=lambda backup: backup.taken)


def latest_backup(directory: Path | None = None) -> Backup | None:
    found = backups(directory)
    return found[-1] if found else None


def prune_backups(*, directory: Path | None = None, keep_days: int | None = None) -> list[Path]:
    """Delete the backups taken more than ``keep_days`` (``BACKUP_KEEP_DAYS``) days ago — never the newest —
    and what interrupted backups left behind; return the files deleted."""
    directory = Path(directory or backup_dir())
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    deleted = []
    for backup in backups(directory)[:-1]:
        if backup.taken < cutoff:
            deleted += [path for path in (backup.database, backup.media) if path is not None]
    day_ago = time.time() - 24 * 3600
    if directory.is_dir():
        deleted += [p for p in directory.glob(f"*{PARTIAL}") if p.stat().st_mtime < day_ago]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted


def restore_backup(path: Path, *, database: str | None = None, alias: str = "default") -> None:
    """Replace the contents of the database (``database``: another PostgreSQL database of the same server,
    which must exist) with the backup ``path``, in one transaction; restore the uploads archived beside it."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    db = _database_settings(alias)
    if path.suffix == ".dump":
        if not _is_postgres(alias):
            raise BackupError("a .dump is a PostgreSQL backup: set DATABASE_URL to the PostgreSQL database")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database or db['NAME']}",
                str(path),
            ],
            _pg_env(db),
        )
    elif path.suffix == ".sqlite3":
        if _is_postgres(alias):
            raise BackupError("a .sqlite3 backup restores into the embedded SQLite database only")
        connections[alias].close()
        shutil.copyfile(path, database or db["NAME"])
    else:
        raise BackupError(f"not a backup made by manage.py backup: {path.name}")
    media = _media_of(path)
    if media.is_file() and database is None:
        _restore_media(media)


def _restore_media(archive: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("media/") and (m.isfile() or m.isdir())]
        for member in members:
            member.name = member.name.removeprefix("media/")
        tar.extractall(root, members=[m for m in members if m.name], filter="data")
