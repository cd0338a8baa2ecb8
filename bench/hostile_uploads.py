"""The home page while hostile uploads arrive (issue 21): clients over their submission limit keep posting
wish forms with three 40-megapixel PNGs of ~170 KB each (one colour, so they compress to almost nothing and
would take ~130 MB and a second each to decode). The goal: the home page's p95 under the flood stays under
3× its quiet p95. Without limits before work, six such posts in parallel held every worker for 13 s.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_bench REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --scale 1
    .venv/bin/python bench/hostile_uploads.py [--duration 20] [--attackers 6] [--readers 4] [--workers 3]
                                              [--json var/bench-hostile.json]

It starts gunicorn (production settings, ``bench.settings`` with ``BENCH_KEEP_LIMITS=1`` so the real
submission limits hold, ``ANON_SUBMIT_RATE`` of 5/hour), uses up the attackers' limit with light posts,
then measures ``/`` from ``--readers`` clients for ``--duration`` seconds quiet and again while
``--attackers`` clients post the hostile form as fast as they are answered. Prints both p95s, their ratio,
the attackers' answers by status and the load average (a loaded machine inflates both figures alike).
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GOAL_RATIO = 3.0


def hostile_png() -> bytes:
    """A real 8000×5000 PNG (40 megapixels) of one colour: ~170 KB on the wire."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8000, 5000), (200, 180, 160)).save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wish_fields(community: int) -> dict:
    return {
        "community": community,
        "category": "repair",
        "title": "修理漏水水龙头",
        "text": "厨房水龙头漏水。",
        "wisher_name": "张桂兰",
        "wisher_phone": "13712345678",
        "channel": "online",
    }


def post(base: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(f"{base}/wishes/new/", data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def read_home(base: str, stop: threading.Event, times: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/", timeout=60) as answer:
                answer.read()
        except OSError:
            continue
        times.append((time.perf_counter() - started) * 1000)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values, default=0.0)


def measure(base: str, readers: int, duration: float, attack=None) -> list[float]:
    stop = threading.Event()
    times: list[float] = []
    threads = [threading.Thread(target=read_home, args=(base, stop, times)) for _ in range(readers)]
    attackers = attack(stop) if attack else []
    for thread in threads + attackers:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads + attackers:
        thread.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=6)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json")
    args = parser.parse_args()

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_KEEP_LIMITS": "1",
        "ANON_SUBMIT_RATE": "5/hour",
        "PYTHONPATH": str(ROOT),
    }
    first_community = "from accounts.models import Community as C; print(C.objects.first().pk)"
    community = subprocess.run(
        [str(PY), "manage.py", "shell", "-c", first_community],
        cwd=ROOT, env=environment, check=True, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    subprocess.run(
        [str(PY), "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=environment, check=True
    )
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "jiangyan.wsgi:application"]
        + ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
        + ["--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=environment,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.5)
        # The attackers' address (127.0.0.1) uses up its limit with light posts first.
        light, light_type = multipart(wish_fields(int(community)), [])
        used = [post(base, light, light_type) for _ in range(6)]
        png = hostile_png()
        hostile, hostile_type = multipart(
            wish_fields(int(community)), [("photos", f"p{n}.png", png) for n in range(3)]
        )
        answers: Counter[int] = Counter()
        lock = threading.Lock()

        def attack(stop):
            def flood():
                while not stop.is_set():
                    status = post(base, hostile, hostile_type)
                    with lock:
                        answers[status] += 1

            return [threading.Thread(target=flood) for _ in range(args.attackers)]

        for _ in range(20):  # warm the page cache and the workers
            urllib.request.urlopen(f"{base}/", timeout=30).read()
        quiet = measure(base, args.readers, args.duration)
        flooded = measure(base, args.readers, args.duration, attack)
    finally:
        server.terminate()
        server.wait(timeout=30)

    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": os.getloadavg(),
        "png_bytes": len(png),
        "limit_use": used,
        "quiet": {"requests": len(quiet), "p50_ms": statistics.median(quiet), "p95_ms": p95(quiet)},
        "flooded": {"requests": len(flooded), "p50_ms": statistics.median(flooded), "p95_ms": p95(flooded)},
        "attacker_answers": dict(answers),
    }
    result["ratio"] = result["flooded"]["p95_ms"] / result["quiet"]["p95_ms"]
    print(
        f"{result['date']}  load {', '.join(f'{x:.1f}' for x in result['load_average'])}\n"
        f"hostile PNG {len(png) / 1024:.0f} KB × 3 per post; light posts to use up the limit: {used}\n"
        f"home quiet:   {len(quiet)} requests, p50 {result['quiet']['p50_ms']:.1f} ms, "
        f"p95 {result['quiet']['p95_ms']:.1f} ms\n"
        f"home flooded: {len(flooded)} requests, p50 {result['flooded']['p50_ms']:.1f} ms, "
        f"p95 {result['flooded']['p95_ms']:.1f} ms\n"
        f"ratio {result['ratio']:.2f} (goal < {GOAL_RATIO}); attackers' answers {dict(answers)}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    sys.exit(0 if result["ratio"] < GOAL_RATIO and set(answers) <= {429} else 1)


if __name__ == "__main__":
    main()
