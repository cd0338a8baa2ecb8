"""The portal under traffic while its Redis (cache and broker) and then its PostgreSQL are stopped and started
again — servers of the test's own (a private redis-server, a private PostgreSQL cluster), so CI's shared
services stay up — with a real gunicorn, a real Celery worker and a real beat.

Clients read public pages, read a signed-in page, submit wishes and claim wishes (a claim tells the
wisher, by e-mail too, through the outbox). The answers are counted: none is a 500; every submission
acknowledged is stored; every notification is e-mailed exactly once after the broker is back."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
import requests
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import MemberFactory, UserFactory
from tests.postgres_server import postgres_server_or_skip
from tests.redis_server import redis_server_or_skip
from tests.wishes.factories import WishFactory
from tests.worker import ROOT, free_port, stop_worker

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

CLAIMS = 400


def portal_env(database_url: str, redis_port: int, mail_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiangyan.settings.local",
        "DJANGO_SECRET_KEY": "outage-test-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/1",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "OUTBOX_DRAIN_SECONDS": "2",
        "PAGE_CACHE_SECONDS": "600",
        "WISH_MAX_OPEN_CLAIMS": str(CLAIMS),
        "ANON_SUBMIT_RATE": "100000/hour",
        "LOG_LEVEL": "WARNING",
    }


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True
    )


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up")


class Traffic:
    """Client threads, each repeating one kind of request and counting its answers, until stopped."""

    def __init__(self, base: str, *, session: str, token: str, community: int, wishes: list[str]):
        self.base, self.session, self.token, self.community = base, session, token, community
        self.wishes = list(wishes)
        self.answers: dict[str, Counter] = {}
        self.phase = "up"
        self.by_phase: dict[str, Counter] = {}  # "phase kind" → answers
        self.submitted: list[str] = []  # titles of the wishes acknowledged (201)
        self.claimed: list[str] = []  # codes of the wishes whose claim was acknowledged (200)
        self.running = threading.Event()
        self.lock = threading.Lock()
        self.threads = []

    def count(self, kind: str, phase: str, answer) -> None:
        with self.lock:
            self.answers.setdefault(kind, Counter())[answer] += 1
            self.by_phase.setdefault(f"{phase} {kind}", Counter())[answer] += 1

    def loop(self, kind, request) -> None:
        n = 0
        while self.running.is_set():
            n += 1
            phase = self.phase  # when the request was sent
            try:
                answer = request(n)
            except requests.RequestException as exc:
                answer = type(exc).__name__
            self.count(kind, phase, answer)
            time.sleep(0.02)

    def public(self, n):
        return requests.get(f"{self.base}/projects/", timeout=20).status_code

    def signed_in(self, n):
        cookies = {"sessionid": self.session}
        return requests.get(f"{self.base}/wishes/", cookies=cookies, timeout=20).status_code

    def submit(self, n):
        title = f"楼道灯坏了{threading.get_ident() % 1000}-{n}"
        body = {
            "community": self.community,
            "category": "repair",
            "title": title,
            "text": "三单元楼道灯坏了一个多月，晚上老人上下楼不方便。",
            "wisher_name": "王秀英",
            "wisher_phone": "13952600000",
        }
        answer = requests.post(f"{self.base}/api/v1/wishes/", json=body, timeout=20)
        if answer.status_code == 201:
            with self.lock:
                self.submitted.append(title)
        return answer.status_code

    def claim(self, n):
        with self.lock:
            if not self.wishes:
                return "none left"
            code = self.wishes.pop()
        headers = {"Authorization": f"Token {self.token}"}
        answer = requests.post(
            f"{self.base}/api/v1/wishes/{code}/claim/", json={}, headers=headers, timeout=20
        )
        if answer.status_code == 200:
            with self.lock:
                self.claimed.append(code)
        elif answer.status_code >= 500:
            with self.lock:
                self.wishes.append(code)  # not taken: try it again later
        return answer.status_code

    def __enter__(self):
        self.running.set()
        for kind in ("public", "signed_in", "submit", "claim"):
            thread = threading.Thread(target=self.loop, args=(kind, getattr(self, kind)), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=30)


def phase(seconds: float) -> None:
    time.sleep(seconds)


def test_redis_and_postgresql_stopped_under_traffic_no_500_nothing_lost_nothing_sent_twice(tmp_path):
    redis_server = redis_server_or_skip()
    database = postgres_server_or_skip()
    processes = []
    try:
        member_community = WishFactory().community
        wisher = UserFactory(email="wisher@example.com", community=member_community)
        member = MemberFactory(community=member_community)
        wishes = [WishFactory(community=member_community, submitted_by=wisher).code for _ in range(CLAIMS)]
        token = Token.objects.create(user=member).key
        reader = Client()
        reader.force_login(member)  # the session row is copied with the database
        session = reader.cookies["sessionid"].value
        database_url = database.copy_of_test_database()

        mail_dir = tmp_path / "mail"
        mail_dir.mkdir()
        env = portal_env(database_url, redis_server.port, mail_dir)
        port = free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "jiangyan.wsgi", "-b", f"127.0.0.1:{port}"]
        gunicorn += ["-w", "2", "--threads", "4", "--timeout", "60"]
        processes.append(start(gunicorn, env, tmp_path / "web.log"))
        celery = [sys.executable, "-m", "celery", "-A", "jiangyan"]
        worker = celery + ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "-n", "outage@%h"]
        processes.append(start(worker, env, tmp_path / "worker.log"))
        beat = celery + ["beat", "-s", str(tmp_path / "beat-schedule")]
        processes.append(start(beat, env, tmp_path / "beat.log"))
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/projects/")

        traffic = Traffic(base, session=session, token=token, community=member_community.pk, wishes=wishes)
        with traffic:
            phase(3)
            redis_server.stop()  # cache and broker
            traffic.phase = "redis down"
            phase(5)
            redis_server.start()
            traffic.phase = "redis back"
            phase(3)
            database.stop()
            traffic.phase = "database down"
            phase(4)
            database.start()
            traffic.phase = "database back"
            phase(4)

        print("answers by phase:", traffic.by_phase)
        logs = "\n".join(p.read_text()[-3000:] for p in tmp_path.glob("*.log"))
        every = sum(traffic.answers.values(), Counter())
        assert every[500] == 0, (traffic.answers, logs)
        assert not {a for a in every if isinstance(a, str) and a != "none left"}, traffic.answers
        assert every[503] > 0 and every[200] > 0  # the outage was seen, and the portal served around it
        assert traffic.answers["public"][503] == 0  # public pages came from the cache throughout
        assert traffic.submitted and traffic.claimed
        # With Redis away every page is computed and every submission taken: nothing there needs a 503.
        assert set(traffic.by_phase["redis down submit"]) == {201}, traffic.by_phase
        assert set(traffic.by_phase["redis down signed_in"]) == {200}, traffic.by_phase
        assert set(traffic.by_phase["redis down claim"]) <= {200}, traffic.by_phase

        with psycopg2.connect(database_url) as db, db.cursor() as cursor:
            cursor.execute("SELECT title FROM wishes_wish WHERE title = ANY(%s)", [traffic.submitted])
            assert len(cursor.fetchall()) == len(traffic.submitted)  # every acknowledged submission stored
            # A claim is acknowledged once it has committed; one may also commit and then lose its answer to
            # the outage (a 503 after the commit): counted from the database, every claim is told once.
            cursor.execute(
                "SELECT code FROM wishes_wish WHERE status = 'claimed' AND code = ANY(%s)", [wishes]
            )
            claimed = {code for (code,) in cursor.fetchall()}
            assert set(traffic.claimed) <= claimed

            def outbox_done() -> bool:
                cursor.execute("SELECT count(*) FROM jiangyan_outboxmessage WHERE done_at IS NULL")
                db.commit()
                return cursor.fetchone()[0] == 0

            deadline = time.monotonic() + 90
            while not outbox_done() and time.monotonic() < deadline:
                time.sleep(1)
            assert outbox_done(), logs
            cursor.execute(
                "SELECT count(*), count(emailed_at) FROM jiangyan_notification WHERE recipient_id = %s",
                [wisher.pk],
            )
            notifications, emailed = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM jiangyan_outboxmessage")
            (messages,) = cursor.fetchone()
        assert (notifications, emailed) == (len(claimed), len(claimed)), logs
        assert messages == notifications  # one e-mail task per claim (each claim tells one wisher)
        sent = sum(path.read_text().count("\nTo: wisher@example.com") for path in mail_dir.iterdir())
        assert sent == notifications, logs  # each exactly once
    finally:
        for process in processes:
            stop_worker(process)
        redis_server.stop()
        database.destroy()
