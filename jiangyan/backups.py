"""Backups of the database and the uploaded files: ``make backup`` / ``make restore FILE=…``
(``manage.py backup`` / ``manage.py restore``).

A backup is a dated file under ``var/backups/`` (``BACKUP_DIR``): ``jiangyan-20210601-083000.dump``, made by
``pg_dump`` in its custom format (PostgreSQL) or a copy through SQLite's online backup (the embedded
default), with the uploaded photos beside it as ``….media.tar.gz``. Restoring replaces the database's
contents with the backup's in one transaction, and the photos when their archive is there."""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

MEDIA_SUFFIX = ".media.tar.gz"


class BackupError(Exception):
    pass


@dataclass
class Backup:
    database: Path
    media: Path | None


def backup_dir() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", settings.VAR_DIR / "backups"))


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


def _media_archive(target: Path) -> Path | None:
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        return None
    with tarfile.open(target, "w:gz") as archive:
        archive.add(media, arcname="media")
    return target


def create_backup(*, directory: Path | None = None, alias: str = "default") -> Backup:
    """Dump the database (and archive the uploads) to a new dated file; return their paths."""
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"jiangyan-{timezone.localtime():%Y%m%d-%H%M%S}"
    db = _database_settings(alias)
    if _is_postgres(alias):
        target = directory / f"{stem}.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", db["NAME"]],
            _pg_env(db),
        )
    else:
        target = directory / f"{stem}.sqlite3"
        source = sqlite3.connect(db["NAME"])
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
        finally:
            source.close()
    return Backup(database=target, media=_media_archive(directory / f"{stem}{MEDIA_SUFFIX}"))


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
    media = path.with_name(path.name.rsplit(".", 1)[0] + MEDIA_SUFFIX)
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
