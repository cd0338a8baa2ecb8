"""``make run``'s runner (``manage.py supervise``) with the real Procfile's web, worker and beat on Redis
and the test database: Ctrl-C (SIGINT to the runner's process group, as a terminal sends it) waits for the
worker to finish its task and every process exits 0; a process that dies is announced and the others go on;
SIGHUP (``make upgrade``) restarts worker and beat without losing a task."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.utils import timezone

from jiangyan.core.periods import PeriodKind, last_complete
from jiangyan.models import Heartbeat
from jiangyan.tasks import heartbeat
from supervision.models import Report
from supervision.tasks import generate_report
from tests.race import needs_postgresql
from tests.worker import (
    ROOT,
    blocked_on_a_lock,
    free_port,
    hold_report,
    needs_redis,
    new_queue,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), needs_postgresql]


class Runner:
    """``manage.py supervise`` on a copy of the Procfile whose worker consumes a queue of the test's own."""

    def __init__(self, tmp_path):
        self.queue = new_queue()
        self.port = free_port()
        self.log = tmp_path / "run.log"
        self.pidfile = tmp_path / "run.pid"
        lines = []
        for line in (ROOT / "Procfile").read_text().splitlines():
            if line.startswith("worker:"):
                line += f" -Q {self.queue} -n {self.queue}@%h"
            if line.startswith("beat:"):
                line += f" --schedule {tmp_path / 'beat-schedule'}"
            lines.append(line)
        procfile = tmp_path / "Procfile"
        procfile.write_text("\n".join(lines) + "\n")
        command = [sys.executable, "manage.py", "supervise", "--procfile", str(procfile)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port), "--pidfile", str(self.pidfile)],
                cwd=ROOT,
                env=worker_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, like a terminal's foreground job
            )

    def output(self) -> str:
        return self.log.read_text()

    def health(self) -> dict:
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=10).json()
        except (requests.ConnectionError, ValueError):
            return {}

    def wait_until_healthy(self) -> None:
        ok = wait_for(lambda: self.health().get("status") == "ok", seconds=120, worker=self.process)
        assert ok, (self.health(), self.output()[-3000:])

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the runner's process group."""
        os.killpg(self.process.pid, signal.SIGINT)

    def wait(self, seconds: float = 120) -> int:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise AssertionError(self.output()[-3000:]) from None

    def send_report(self, week) -> None:
        day = week.start.isoformat()
        generate_report.apply_async(kwargs={"kind": "weekly", "day": day}, queue=self.queue)
        assert wait_for(blocked_on_a_lock, worker=self.process), self.output()[-3000:]

    def pid_of(self, name: str) -> int:
        started = [line for line in self.output().splitlines() if line.startswith(f"system | {name} started")]
        return int(started[-1].rsplit("pid ", 1)[1].rstrip(")"))


@pytest.fixture
def runner(tmp_path):
    needs_redis()
    run = Runner(tmp_path)
    yield run
    if run.process.poll() is None:
        run.interrupt()
        run.wait()


def test_ctrl_c_lets_the_worker_finish_its_task_and_every_process_exits_cleanly(runner):
    week = last_complete(PeriodKind.WEEK, timezone.localdate())
    runner.wait_until_healthy()
    blocker = hold_report(week)
    try:
        runner.send_report(week)  # the worker's insert waits for the row the test holds
        runner.interrupt()
        time.sleep(7)  # longer than honcho's 5 s before its SIGKILL
        assert runner.process.poll() is None, "the runner must wait for the worker's task"
        assert "worker stopped" not in runner.output()
    finally:
        blocker.rollback()
        blocker.close()
    assert runner.wait() == 0, runner.output()[-3000:]
    output = runner.output()
    for name in ("web", "worker", "beat"):
        assert f"system | {name} stopped (exit code 0)" in output, output[-3000:]
    report = Report.objects.get()
    assert (report.period_start, report.generation) == (week.start, 1)


def test_a_process_that_dies_is_announced_and_sighup_restarts_worker_and_beat_without_losing_a_task(runner):
    runner.wait_until_healthy()
    os.kill(runner.pid_of("beat"), signal.SIGKILL)
    assert wait_for(lambda: "WARNING: beat stopped by itself (exit code -9)" in runner.output())
    assert runner.health()["worker"]["status"] == "ok"  # web and worker go on

    week = last_complete(PeriodKind.WEEK, timezone.localdate())
    blocker = hold_report(week)
    token = uuid.uuid4().hex
    try:
        runner.send_report(week)  # the worker's insert waits for the row the test holds
        old_worker = runner.pid_of("worker")
        subprocess.run(
            [sys.executable, "manage.py", "supervise", "--restart", "--pidfile", str(runner.pidfile)],
            cwd=ROOT,
            env=worker_env(),
            check=True,
            capture_output=True,
        )
        assert wait_for(lambda: "restarting worker" in runner.output())
        # Sent while the old worker finishes its task and before the new one runs.
        heartbeat.apply_async(kwargs={"token": token, "source": "restart"}, queue=runner.queue)
        time.sleep(1)
    finally:
        blocker.rollback()
        blocker.close()
    assert wait_for(lambda: "beat restarted" in runner.output(), seconds=120), runner.output()[-3000:]
    assert runner.pid_of("worker") != old_worker
    ran = wait_for(lambda: Heartbeat.objects.filter(token=token).exists(), seconds=60)
    assert ran, runner.output()[-3000:]
    assert Report.objects.get().generation == 1
    runner.wait_until_healthy()  # beat runs again
    runner.interrupt()
    assert runner.wait() == 0, runner.output()[-3000:]
