"""The default of ``manage.py`` (and so of ``make run``): one machine, embedded SQLite and file broker
unless the environment names PostgreSQL and Redis.

DEBUG is off unless ``DJANGO_DEBUG=true``: a visitor of the running portal sees the portal's own 404/403/500
pages, never Django's debug page listing the URL patterns."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Uploaded photos are served by Django here (no web server in front of ``make run``).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-insecure-key-only-for-this-machine-0123456789abcdef")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "0.0.0.0", "[::1]"])
DEMO_SEED_ALLOWED = True
# Static files straight from the source folders (no collectstatic needed while developing).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Development keys of personal information (never used in production, which refuses to start without its
# own: jiangyan/settings/production.py).
PII_KEYS = env("PII_KEYS", default="dev:ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q=")
PII_INDEX_KEY = env("PII_INDEX_KEY", default="ZGV2LW9ubHktaW5kZXgta2V5LW5vdC1mb3ItcHJvZHU=")
