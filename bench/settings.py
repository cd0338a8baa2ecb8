"""Production settings for the load benchmark on one machine over plain HTTP (``bench/load.py``):
no TLS redirect, cookies without ``Secure``, the limits of anonymous submissions lifted (the benchmark
posts thousands of wishes from one address), and one extra URL: a bare Django view as the ceiling."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# The keys of the local settings, so a database seeded by ``manage.py seed_demo`` reads back.
os.environ.setdefault("PII_KEYS", "dev:ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q=")
os.environ.setdefault("PII_INDEX_KEY", "ZGV2LW9ubHktaW5kZXgta2V5LW5vdC1mb3ItcHJvZHU=")

from jiangyan.settings.production import *  # noqa: E402,F403
from jiangyan.settings.production import REST_FRAMEWORK  # noqa: E402

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
if not os.environ.get("BENCH_KEEP_LIMITS"):  # bench/hostile_uploads.py measures the limits themselves
    REST_FRAMEWORK = {
        **REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            scope: "1000000/hour" for scope in REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        },
    }
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
