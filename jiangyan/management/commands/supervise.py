"""``make run``'s runner: the processes of the ``Procfile`` (web, worker, beat) in one terminal.

- Their output is prefixed by their name.
- When one of them stops by itself, a warning says so and what it means; the others go on.
- Ctrl-C (SIGINT to the terminal's process group) or SIGTERM stops them all cleanly. Each runs in a process
  group of its own, so the terminal's signal reaches the runner only, and the runner sends each process the
  one signal that stops it cleanly: SIGTERM to the web server's group (runserver and its reloader) and to
  beat, SIGTERM to the worker's main process alone — its warm shutdown finishes the task it runs (one it
  holds and has not started goes back to the queue) while its pool processes are spared the signal. The
  runner waits for them (at most ``--stop-timeout`` seconds, then SIGKILL). A second Ctrl-C sends the worker
  SIGQUIT: Celery's cold shutdown, which hands its late-acknowledged task back to the queue.
- SIGHUP (``make upgrade``: ``manage.py supervise --restart``) restarts the worker and beat the same way,
  one after the other, and starts again any process that had stopped.
"""

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from string import Template

from django.conf import settings
from django.core.management.base import BaseCommand

RESTARTED_ON_HUP = ("worker", "beat")
# Signalled in its main process only: a SIGTERM would kill its pool processes in the middle of their tasks.
MAIN_PROCESS_ONLY = ("worker",)
WHAT_IT_MEANS = {
    "web": "the portal is not served any more",
    "worker": "tasks wait in the queue until a worker runs again, and /healthz answers 503",
    "beat": "no scheduled task is sent (reports, backups); /healthz answers 503 once its heartbeat is stale",
}


def read_procfile(path: Path, env: dict[str, str]) -> dict[str, list[str]]:
    """``name: command`` lines; ``$PORT`` and other variables expanded from ``env``."""
    commands = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, command = line.split(":", 1)
        commands[name.strip()] = [Template(word).safe_substitute(env) for word in shlex.split(command)]
    return commands


class Runner:
    def __init__(self, commands: dict[str, list[str]], *, env: dict[str, str], stop_timeout: float, out):
        self.commands = commands
        self.env = env
        self.stop_timeout = stop_timeout
        self.out = out
        self.width = max(map(len, commands))
        self.lock = threading.RLock()  # say() is called from signal handlers too
        self.processes: dict[str, subprocess.Popen] = {}
        self.expected_exit: set[str] = set()
        self.stopping = False
        self.restart_requested = False

    def say(self, name: str, line: str) -> None:
        with self.lock:
            self.out.write(f"{name:<{self.width}} | {line.rstrip()}\n")
            self.out.flush()

    def start(self, name: str) -> None:
        process = subprocess.Popen(
            self.commands[name],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            process_group=0,
        )
        self.processes[name] = process
        self.expected_exit.discard(name)
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        self.say("system", f"{name} started (pid {process.pid})")

    def _relay(self, name: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.say(name, line)

    def signal(self, name: str, signum: int) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            return
        try:
            if name in MAIN_PROCESS_ONLY:
                process.send_signal(signum)
            else:
                os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    def stop(self, name: str, *, wait: bool) -> int | None:
        """SIGTERM (warm shutdown for the worker); with ``wait``, wait for it, then SIGKILL after the
        timeout. Returns the exit code when it has stopped."""
        process = self.processes[name]
        self.expected_exit.add(name)
        self.signal(name, signal.SIGTERM)
        if not wait:
            return None
        try:
            return process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.say("system", f"{name} did not stop within {self.stop_timeout:g} s: SIGKILL")
            self.signal(name, signal.SIGKILL)
            return process.wait()

    def on_stop_signal(self, signum, frame) -> None:
        if self.stopping:
            self.say("system", "again: the worker's cold shutdown (its task goes back to the queue)")
            for name in MAIN_PROCESS_ONLY:
                if name in self.processes:
                    self.signal(name, signal.SIGQUIT)
            return
        name = signal.Signals(signum).name
        self.say("system", f"{name}: stopping web, worker and beat (the worker finishes its task first)")
        self.stopping = True

    def on_hangup(self, signum, frame) -> None:
        self.restart_requested = True

    def restart(self) -> None:
        self.restart_requested = False
        for name in self.commands:
            if name in RESTARTED_ON_HUP:
                self.say("system", f"restarting {name} (warm shutdown first)")
                self.stop(name, wait=True)
                self.start(name)
                self.say("system", f"{name} restarted")
            elif self.processes[name].poll() is not None:
                self.start(name)

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.on_stop_signal)
        signal.signal(signal.SIGTERM, self.on_stop_signal)
        signal.signal(signal.SIGHUP, self.on_hangup)
        for name in self.commands:
            self.start(name)
        warned = set()
        while not self.stopping:
            if self.restart_requested:
                self.restart()
                warned.clear()
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None and name not in warned and name not in self.expected_exit:
                    warned.add(name)
                    self.warn_stopped(name, code)
            if len(warned) == len(self.processes):
                self.say("system", "every process has stopped")
                return 1
            time.sleep(0.2)
        for name in self.processes:
            self.stop(name, wait=False)
        codes = {}
        for name in self.processes:
            codes[name] = self.stop(name, wait=True)
            self.say("system", f"{name} stopped (exit code {codes[name]})")
        # Killed by the runner's own signal: stopped while starting, before it handled the signal.
        clean = {0, -signal.SIGTERM, -signal.SIGINT}
        return 0 if not warned and set(codes.values()) <= clean else 1

    def warn_stopped(self, name: str, code: int) -> None:
        others = ", ".join(n for n in self.processes if n != name and self.processes[n].poll() is None)
        banner = "!" * 78
        self.say("system", banner)
        self.say(
            "system", f"WARNING: {name} stopped by itself (exit code {code}): {WHAT_IT_MEANS.get(name, '')}"
        )
        self.say("system", f"{others or 'nothing'} still running; `kill -HUP {os.getpid()}` starts it again")
        self.say("system", banner)


class Command(BaseCommand):
    help = "Run the Procfile's web, worker and beat (make run); --restart: restart those of a running one."

    def add_arguments(self, parser):
        parser.add_argument("--procfile", default=str(Path(settings.BASE_DIR) / "Procfile"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=settings.CELERY_TASK_TIME_LIMIT + 30,
            help="seconds a process may take to stop (the worker: to finish its task) before SIGKILL",
        )
        parser.add_argument("--pidfile", default=str(settings.VAR_DIR / "supervise.pid"))
        parser.add_argument(
            "--restart",
            action="store_true",
            help="ask the running runner (--pidfile) to restart worker and beat",
        )

    def handle(self, *args, procfile, port, stop_timeout, pidfile, restart, **options):
        pidfile = Path(pidfile)
        if restart:
            return self.ask_to_restart(pidfile)
        env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
        runner = Runner(
            read_procfile(Path(procfile), env), env=env, stop_timeout=stop_timeout, out=self.stdout
        )
        pidfile.parent.mkdir(parents=True, exist_ok=True)
        pidfile.write_text(str(os.getpid()))
        try:
            code = runner.run()
        finally:
            pidfile.unlink(missing_ok=True)
        sys.exit(code)

    def ask_to_restart(self, pidfile: Path) -> None:
        try:
            pid = int(pidfile.read_text())
            os.kill(pid, signal.SIGHUP)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            self.stdout.write(
                "make run is not running here: restart the worker and beat with what runs them "
                "(docker compose up -d, or your service manager)."
            )
            return
        self.stdout.write(
            f"make run (pid {pid}) restarts the worker and beat (warm shutdown first); its output says when."
        )
