"""Production settings for the load benchmark on one machine over plain HTTP (``bench/load.py``):
no TLS redirect, cookies without ``Secure``, the limits of anonymous submissions lifted (the benchmark
posts thousands of wishes from one address), and one extra URL: a bare Django view as the ceiling."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PII_KEYS", "bench:YmVuY2gtb25seS1waWkta2V5LW5vdC1mb3ItcHJvZCE=")
os.environ.setdefault("PII_INDEX_KEY", "YmVuY2gtb25seS1pbmRleC1rZXktbm90LWZvci1wcm8=")

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
