"""Load benchmark: the portal's pages and API lists under 32 concurrent clients, each as a share of a bare
Django view served by the same gunicorn in the same run (issue #13).

    # once: a PostgreSQL database with the 10× demo district, and Redis
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_bench10 REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --scale 10
    # the run (wrk and ab from Debian: apt-get install wrk apache2-utils)
    .venv/bin/python bench/load.py [--duration 10] [--connections 32] [--workers 5] [--only home,showcase]

It collects the static files, starts gunicorn (production settings, ``bench.settings``), signs in through
the real sign-in page and token endpoint, runs wrk against each target (plus the bare view, first and
last), then submits 1,000 wishes from 20 concurrent clients with ab and counts them in the database.
Prints a Markdown table: requests per second, p50 / p95 / p99, errors, share of the bare view's rps.
"""

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
LUA = ROOT / "bench" / "wrk_report.lua"
PASSWORD = os.environ.get("DEMO_PASSWORD", "jiangyan-demo")

# name → (path, who, target share of the bare view, kind)
TARGETS = {
    "home": ("/", None, 0.40, "page"),
    "showcase": ("/projects/", None, 0.40, "page"),
    "project": ("/projects/{project}/", None, 0.40, "page"),
    "board": ("/wishes/", None, 0.40, "page"),
    "track": ("/wishes/track/", None, 0.40, "page"),
    "bulletins": ("/bulletins/", None, 0.40, "page"),
    "bulletin": ("/bulletins/{bulletin}/", None, 0.40, "page"),
    "dashboard": ("/dashboard/", "supervisor", None, "page"),
    "api_projects": ("/api/v1/projects/", None, 0.10, "api"),
    "api_wishes": ("/api/v1/wishes/", "token", 0.10, "api"),
    "api_surveys": ("/api/v1/surveys/", None, 0.10, "api"),
    "api_reports": ("/api/v1/reports/", None, 0.10, "api"),
    "wish_submit": ("/api/v1/wishes/", None, None, "post"),
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


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/__bare__", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def sign_in(base: str, username: str) -> str:
    """The session cookie of ``username``, signed in through the sign-in page like a browser."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base})
    opener.open(request)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def api_token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    return json.loads(urllib.request.urlopen(request).read())["token"]


def wrk(
    url: str, *, duration: int, connections: int, headers: list[str], extra_env: dict | None = None
) -> dict:
    command = ["wrk", f"-t{min(connections, 4)}", f"-c{connections}", f"-d{duration}s", "-s", str(LUA), url]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(extra_env or {})}
    ).stdout
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


def submissions(base: str, community: int, *, count: int = 1000, clients: int = 20) -> dict:
    """``count`` anonymous wish submissions from ``clients`` concurrent clients (ab); all must be stored."""
    before = int(django_shell("from wishes.models import Wish; print(Wish.objects.count())"))
    body = ROOT / "var" / "bench-wish.json"
    body.write_text(json.dumps({**WISH, "community": community}, ensure_ascii=False))
    out = subprocess.run(
        [
            "ab",
            "-q",
            "-n",
            str(count),
            "-c",
            str(clients),
            "-p",
            str(body),
            "-T",
            "application/json",
            f"{base}/api/v1/wishes/",
        ],
        capture_output=True,
        text=True,
    ).stdout
    after = int(django_shell("from wishes.models import Wish; print(Wish.objects.count())"))
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    return {
        "sent": count,
        "stored": after - before,
        "failed": failed + (int(non_2xx.group(1)) if non_2xx else 0),
        "rps": rps,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--only", default="", help="comma-separated target names")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database with the 10× demo (see the docstring)")

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
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "jiangyan.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    try:
        wait_until_up(base)
        cookie = sign_in(base, "supervisor")
        token = api_token(base, "resident")
        chosen = [t for t in TARGETS if not args.only or t in args.only.split(",")]
        results = {}
        run = {"duration": args.duration, "connections": args.connections}
        results["bare (first)"] = wrk(f"{base}/__bare__", headers=[], **run)
        for name in chosen:
            path, who, _target, kind = TARGETS[name]
            url = base + path.format(**codes)
            headers = {"supervisor": [f"Cookie: {cookie}"], "token": [f"Authorization: Token {token}"]}.get(
                who, []
            )
            extra = None
            if kind == "post":
                extra = {
                    "WRK_METHOD": "POST",
                    "WRK_BODY": json.dumps({**WISH, "community": codes["community"]}),
                }
            results[name] = wrk(url, headers=headers, extra_env=extra, **run)
        results["bare (last)"] = wrk(f"{base}/__bare__", headers=[], **run)
        ceiling = max(results["bare (first)"]["rps"], results["bare (last)"]["rps"])
        stored = submissions(base, codes["community"])
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{time.strftime('%Y-%m-%d')} · {os.cpu_count()} cores · gunicorn {args.workers} workers · "
        f"wrk {args.connections} connections × {args.duration} s\n"
    )
    print("| target | rps | share of bare | target | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        goal = TARGETS.get(name, (None, None, None, None))[2]
        share = r["rps"] / ceiling
        verdict = "" if goal is None else (" ✓" if share >= goal else " ✗")
        print(
            f"| {name} | {r['rps']:.0f} | {share:.1%}{verdict} | {'' if goal is None else f'≥ {goal:.0%}'} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors'] + r['non_2xx_3xx']} |"
        )
    print(
        f"\nwish submissions (ab, 20 concurrent): sent {stored['sent']}, stored {stored['stored']}, "
        f"failed {stored['failed']}, {stored['rps']:.0f} rps"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "submissions": stored}, indent=2))
    if stored["stored"] != stored["sent"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
