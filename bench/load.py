"""Load benchmark: the portal's pages and API lists under 32 concurrent clients — anonymous visitors,
links with parameters the page does not know, signed-in party members, unit staff and supervisors — each
as a share of a bare Django view served by the same gunicorn in the same run, without and with a steady
stream of anonymous wish submissions (issues #13 and #17).

    # once: a PostgreSQL database with the 10× demo district, Redis for the broker, and a cache Redis with a
    # memory bound (as docker-compose runs it)
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_bench10 REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --scale 10
    redis-server --port 6390 --maxmemory 256mb --maxmemory-policy allkeys-lru --save '' --daemonize yes
    export CACHE_URL=redis://127.0.0.1:6390/0
    # the run (wrk and ab from Debian: apt-get install wrk apache2-utils)
    .venv/bin/python bench/load.py [--duration 10] [--connections 32] [--workers 5] [--streams 0,1,5]
                                   [--only home,board_member] [--json var/bench-load.json]

It collects the static files, starts gunicorn (production settings, ``bench.settings``), signs readers in
through the real sign-in page (20 party members, 10 unit liaisons, the supervisor: each request of a
signed-in target is the next reader's), opens every target once as each of its readers (all must answer
200; wrk then measures a portal that is already open, first visits are ``bench/pages.py``'s), then for each
write stream (wishes a second; 0 = none) submits anonymous wishes at that rate through the API in the
background while wrk runs against each target, each right after the bare view (and the bare view first
and last). Targets with ``*`` in
their path get a fresh random parameter on every request (``utm_content=<random>``, as shared links do).
At the end every submitted wish must be stored, and 1,000 more are posted from 20 clients with ab.
Prints the load average and one table: requests per second, share of the bare view, p95 per stream.
"""

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
LUA = ROOT / "bench" / "wrk_report.lua"
PASSWORD = os.environ.get("DEMO_PASSWORD", "jiangyan-demo")
JUNK = "utm_source=groupmessage&utm_medium=wechat&from=singlemessage&isappinstalled=0"
P95_GOAL_MS = 50

# name → (path, readers, goal as share of the bare view or None, same-as target). Readers: None (anonymous),
# "members", "liaisons", "supervisor", "token" (a resident's API token). A path ending in "*" gets a random
# extra parameter per request.
TARGETS = {
    "home": ("/", None, 0.50, None),
    "showcase": ("/projects/", None, 0.50, None),
    "project": ("/projects/{project}/", None, 0.50, None),
    "board": ("/wishes/", None, 0.50, None),
    "track": ("/wishes/track/", None, 0.50, None),
    "bulletins": ("/bulletins/", None, 0.50, None),
    "bulletin": ("/bulletins/{bulletin}/", None, 0.50, None),
    "home_shared_link": (f"/?{JUNK}*", None, 0.50, "home"),
    "showcase_shared_link": (f"/projects/?status=in_progress&{JUNK}*", None, 0.50, "showcase"),
    "board_shared_link": (f"/wishes/?{JUNK}*", None, 0.50, "board"),
    "api_projects": ("/api/v1/projects/", None, 0.50, None),
    "api_wishes": ("/api/v1/wishes/", None, 0.50, None),
    "api_wishes_token": ("/api/v1/wishes/", "token", None, None),  # a resident's app: no goal, for comparison
    "api_surveys": ("/api/v1/surveys/", None, 0.50, None),
    "api_reports": ("/api/v1/reports/", None, 0.50, None),
    "board_member": ("/wishes/", "members", 0.25, None),
    "claims_member": ("/wishes/mine/claims/", "members", 0.25, None),
    "workspace": ("/projects/workspace/", "liaisons", 0.25, None),
    "dashboard": ("/dashboard/", "supervisor", 0.30, None),
}
READERS = {
    "members": [f"member{n:02d}" for n in range(1, 21)],
    "liaisons": ["unit_staff", "unit01", *(f"unit{n:02d}" for n in range(3, 11))],
    "supervisor": ["supervisor"],
}


def env(**extra) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT), **extra}


def django_shell(code: str) -> str:
    return (
        subprocess.run(
            [str(PY), "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env(),
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # the last line: the shell may announce its automatic imports first


def wish_count() -> int:
    return int(django_shell("from wishes.models import Wish; print(Wish.objects.count())"))


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/__bare__", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def recovery_code(username: str) -> str:
    """A fresh single-use recovery code of ``username`` (as ``manage.py demo_otp`` gives the demo staff)."""
    return django_shell(
        "from django_otp.plugins.otp_static.models import StaticDevice, StaticToken;"
        f"from accounts.models import User; user = User.objects.get(username={username!r});"
        "device, _ = StaticDevice.objects.get_or_create(user=user, name='bench');"
        "code = StaticToken.random_token(); device.token_set.create(token=code); print(code)"
    )


def sign_in(base: str, username: str, *, staff: bool) -> str:
    """The session cookie of ``username``, signed in through the sign-in page like a browser."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base})
    code = recovery_code(username) if staff else ""  # before signing in: staff without a device must enrol
    answer = opener.open(request)
    if "/accounts/two-factor/" in answer.geturl():  # staff: the second step, with the recovery code
        page = answer.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"otp_token": code, "csrfmiddlewaretoken": token})
        opener.open(urllib.request.Request(answer.geturl(), data=data.encode(), headers={"Referer": base}))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "sessionid=" not in cookie:
        raise SystemExit(f"could not sign in as {username}")
    return cookie


def api_token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    return json.loads(urllib.request.urlopen(request).read())["token"]


def check(url: str, headers: dict) -> None:
    """The target answers 200 to its reader (a signed-in target must not measure a redirect to sign-in)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            if answer.status != 200 or answer.url.split("?")[0] != url.split("?")[0]:
                raise SystemExit(f"{url}: {answer.status} at {answer.url}")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url}: {exc.code}") from exc


def warm(url: str, headers: list[str], extra: dict) -> None:
    """Open the target once as each of its readers: wrk measures the portal on a day it is already open
    (the cost of a first visit after a change is ``bench/pages.py``'s), and checks every answer is a 200."""
    fixed = dict(h.split(": ", 1) for h in headers)
    for cookie in extra.get("WRK_COOKIES", "").split("\n"):
        check(url, fixed | ({"Cookie": cookie} if cookie else {}))


def wrk(url: str, *, duration: int, connections: int, headers: list[str], extra_env: dict) -> dict:
    command = ["wrk", f"-t{min(connections, 4)}", f"-c{connections}", f"-d{duration}s", "-s", str(LUA), url]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **extra_env}).stdout
    figures = json.loads(out.split("JSON ", 1)[1].splitlines()[0])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


WISH = {
    "community": None,
    "category": "repair",
    "title": "楼道灯坏了",
    "text": "三单元楼道灯坏了一个多月，晚上老人上下楼不方便，希望帮忙修一修。",
    "wisher_name": "王秀英",
    "wisher_phone": "13952600000",
    "wisher_address": "罗塘街道天目社区3栋",
}


class WishStream:
    """``rate`` anonymous wish submissions a second through the API, each from its own thread, until
    stopped; counts what was answered 201 and what failed."""

    def __init__(self, base: str, community: int, rate: float):
        self.url = f"{base}/api/v1/wishes/"
        self.body = json.dumps({**WISH, "community": community}).encode()
        self.rate = rate
        self.sent = self.created = self.failed = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._clock = threading.Thread(target=self._run)

    def _post(self) -> None:
        request = urllib.request.Request(
            self.url, data=self.body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                ok = answer.status == 201
        except (OSError, urllib.error.HTTPError):
            ok = False
        with self._lock:
            self.created += ok
            self.failed += not ok

    def _run(self) -> None:
        start = time.monotonic()
        n = 0
        while not self._stop.is_set():
            delay = start + n / self.rate - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            thread = threading.Thread(target=self._post)
            thread.start()
            self._threads.append(thread)
            self.sent += 1
            n += 1

    def __enter__(self):
        if self.rate:
            self._clock.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.rate:
            self._clock.join()
        for thread in self._threads:
            thread.join(timeout=60)


def burst(base: str, community: int, *, count: int = 1000, clients: int = 20) -> dict:
    """``count`` anonymous wish submissions from ``clients`` concurrent clients (ab); all must be stored."""
    before = wish_count()
    body = ROOT / "var" / "bench-wish.json"
    body.write_text(json.dumps({**WISH, "community": community}, ensure_ascii=False))
    out = subprocess.run(
        ["ab", "-q", "-n", str(count), "-c", str(clients), "-p", str(body), "-T", "application/json"]
        + [f"{base}/api/v1/wishes/"],
        capture_output=True,
        text=True,
    ).stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return {
        "sent": count,
        "stored": wish_count() - before,
        "failed": failed + (int(non_2xx.group(1)) if non_2xx else 0),
        "rps": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)),
    }


def target_request(base: str, name: str, codes: dict, credentials: dict) -> tuple[str, list[str], dict]:
    """URL, wrk headers and wrk environment of a target."""
    path, readers, _goal, _same = TARGETS[name]
    extra: dict = {}
    if path.endswith("*"):
        path = path[:-1]
        extra["WRK_RANDOM_PARAM"] = "utm_content"
    headers = []
    if readers == "token":
        headers = [f"Authorization: Token {credentials['token']}"]
    elif readers:
        extra["WRK_COOKIES"] = "\n".join(credentials[readers])
    return base + path.format(**codes), headers, extra


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--bare", type=int, default=5, help="seconds of the bare view before each target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--streams", default="0,1,5", help="wish submissions a second, one pass each")
    parser.add_argument("--only", default="", help="comma-separated target names")
    parser.add_argument("--burst", type=int, default=1000, help="wishes posted by ab at the end (0: none)")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database with the 10× demo (see the docstring)")
    streams = [float(s) for s in args.streams.split(",")]
    chosen = [t for t in TARGETS if not args.only or t in args.only.split(",")]
    load_before = os.getloadavg()

    subprocess.run(
        [str(PY), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env(), check=True
    )
    codes = json.loads(
        django_shell(
            "import json; from projects.models import Project; from accounts.models import Community;"
            "from supervision.models import Report;"
            "b = Report.objects.published().order_by('-period_start').first();"
            "print(json.dumps({'project': Project.objects.filter(is_public=True).order_by('code')[0].code,"
            "'bulletin': b.pk if b else 0, 'community': Community.objects.order_by('id')[0].pk}))"
        )
    )
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "jiangyan.wsgi:application"]
        + ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env(),
    )
    results: dict[float, dict[str, dict]] = {}
    streamed: dict[float, dict] = {}
    try:
        wait_until_up(base)
        needed = {TARGETS[t][1] for t in chosen} - {None}
        credentials = {
            kind: [sign_in(base, u, staff=kind != "members") for u in READERS[kind]]
            for kind in needed
            if kind != "token"
        }
        if "token" in needed:
            credentials["token"] = api_token(base, "resident")
        for name in chosen:
            warm(*target_request(base, name, codes, credentials))
        run = {"duration": args.duration, "connections": args.connections}
        bare_first = wrk(f"{base}/__bare__", headers=[], extra_env={}, **run)
        for rate in streams:
            before = wish_count()
            with WishStream(base, codes["community"], rate) as stream:
                results[rate] = {}
                for name in chosen:
                    url, headers, extra = target_request(base, name, codes, credentials)
                    # The bare view right before each target: on a shared machine the load moves from one
                    # minute to the next, and each share compares two measurements taken together.
                    bare = wrk(f"{base}/__bare__", headers=[], extra_env={}, **{**run, "duration": args.bare})
                    results[rate][name] = wrk(url, headers=headers, extra_env=extra, **run)
                    results[rate][name]["bare_rps"] = bare["rps"]
            streamed[rate] = {
                "sent": stream.sent,
                "created": stream.created,
                "failed": stream.failed,
                "stored": wish_count() - before,
            }
        bare_last = wrk(f"{base}/__bare__", headers=[], extra_env={}, **run)
        burst_figures = burst(base, codes["community"], count=args.burst) if args.burst else None
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()

    ok = True
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after · gunicorn {args.workers} workers · "
        f"wrk {args.connections} connections × {args.duration} s per target and stream\n"
    )
    print(
        f"bare view: {bare_first['rps']:.0f} / {bare_last['rps']:.0f} rps first / last "
        f"(p95 {bare_first['p95_ms']:.1f} / {bare_last['p95_ms']:.1f} ms); each share is of the bare view "
        f"measured just before its target ({args.bare} s)\n"
    )
    columns = " | ".join(f"{rate:g} wish/s: rps · share · p95 ms" for rate in streams)
    print(f"| target | goal | {columns} | errors |")
    print("|---|---|" + "---|" * len(streams) + "---|")
    for name in chosen:
        _path, _readers, goal, same_as = TARGETS[name]
        cells, errors = [], 0
        for rate in streams:
            r = results[rate][name]
            share = r["rps"] / r["bare_rps"]
            good = (goal is None or share >= goal) and r["p95_ms"] < P95_GOAL_MS
            if same_as in results[rate]:  # the same page without the parameters it does not know
                base_share = results[rate][same_as]["rps"] / results[rate][same_as]["bare_rps"]
                good = good and share >= 0.9 * base_share
            ok &= good
            errors += r["errors"] + r["non_2xx_3xx"]
            cells.append(f"{r['rps']:.0f} · {share:.0%}{' ✓' if good else ' ✗'} · {r['p95_ms']:.1f}")
        ok &= errors == 0
        goal_text = ("" if goal is None else f"≥ {goal:.0%}") + (f", ≈ {same_as}" if same_as else "")
        print(f"| {name} | {goal_text} | {' | '.join(cells)} | {errors} |")
    print()
    for rate, s in streamed.items():
        if rate:
            print(
                f"wish stream {rate:g}/s: sent {s['sent']}, answered 201 {s['created']}, "
                f"failed {s['failed']}, stored {s['stored']}"
            )
            ok &= s["failed"] == 0 and s["stored"] == s["sent"] == s["created"]
    if burst_figures:
        print(
            f"wish burst (ab, 20 concurrent): sent {burst_figures['sent']}, "
            f"stored {burst_figures['stored']}, failed {burst_figures['failed']}, "
            f"{burst_figures['rps']:.0f} rps"
        )
        ok &= burst_figures["stored"] == burst_figures["sent"] and not burst_figures["failed"]
    print(
        f"\nevery goal met: {'yes' if ok else 'NO'} "
        f"(shares, p95 < {P95_GOAL_MS} ms, 0 errors, every wish stored)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "bare": [bare_first, bare_last],
                    "results": {str(k): v for k, v in results.items()},
                    "streams": {str(k): v for k, v in streamed.items()},
                    "burst": burst_figures,
                    "load": [load_before, load_after],
                },
                indent=2,
            )
        )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
