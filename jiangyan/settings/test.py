"""Settings of the test suite: the real database of ``DATABASE_URL`` (PostgreSQL in CI), fast hashing."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "accounts.hashers.PBKDF2SM3PasswordHasher",
]
# Tests that sign one staff account in twice (a page and an API client) keep both sessions; the rule itself
# is tested with the setting on (tests/accounts/test_sessions.py).
STAFF_SINGLE_SESSION = False
DEMO_SEED_ALLOWED = True
MEDIA_ROOT = VAR_DIR / "test-media"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a worker or server started by a test sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
# Tests get a private in-memory cache (cleared before each test, so rate-limit counters never leak from
# one test into the next); the Redis cache itself is exercised by the health check test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests build data with factories between two requests, behind the services' back: pages are not cached
# unless a test turns the cache on (tests/jiangyan/test_pagecache.py).
PAGE_CACHE_SECONDS = 0
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # The API reads JSON (and multipart where files are uploaded): the test client sends JSON unless told.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        scope: "1000/hour"
        for scope in ("anon_submit", "user_submit", "staff_submit", "register", "token", "wish_track")
    },
}
# Most tests run no worker: /healthz waits this long for the answer to its ping.
HEALTH_WORKER_TIMEOUT = 0.5
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# django-axes logs every sign-in at INFO; the suite signs in thousands of times.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405

# Development keys of personal information (never used in production, which refuses to start without its
# own: jiangyan/settings/production.py).
PII_KEYS = env("PII_KEYS", default="dev:ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q=")
PII_INDEX_KEY = env("PII_INDEX_KEY", default="ZGV2LW9ubHktaW5kZXgta2V5LW5vdC1mb3ItcHJvZHU=")
