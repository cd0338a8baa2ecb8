"""A private PostgreSQL cluster for one test (never CI's shared server): ``initdb`` in a temporary folder,
started with ``pg_ctl`` on a free port, holding a copy of the test database, and stopped and started again on
demand, so a test can take the database away in the middle of requests."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

SUPERUSER = "postgres"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PostgresServer:
    def __init__(self, binaries: Path):
        self.bin = binaries
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = Path(tempfile.mkdtemp(prefix="jy-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        # initdb refuses to run as root: the cluster belongs to the postgres account when we are root.
        self.owner = SUPERUSER if os.geteuid() == 0 else None
        if self.owner:
            entry = pwd.getpwnam(self.owner)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.folder)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Fast shutdown: every open connection is cut, as when the server is restarted or fails."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)

    def copy_of_test_database(self) -> str:
        """The test database (schema and rows as they are now) copied into this cluster under its name."""
        db = connection.settings_dict
        name = db["NAME"]
        source = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        here = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]
        subprocess.run([str(self.bin / "createdb"), *here, name], check=True, env=env)
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), *source, "--no-owner", "--no-privileges", name],
            check=True,
            capture_output=True,
            env=env,
        )
        subprocess.run(
            [str(self.bin / "psql"), *here, "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            input=dump.stdout,
            check=True,
            capture_output=True,
            env=env,
        )
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{name}"


def postgres_server_or_skip() -> PostgresServer:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    return PostgresServer(binaries)


@contextmanager
def served_from(server: PostgresServer):
    """This process's connection reads and writes the copy in ``server`` for the block (then the test
    database of the shared server again, which pytest-django empties after the test)."""
    was = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(server.port), USER=SUPERUSER, PASSWORD="")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(was)
