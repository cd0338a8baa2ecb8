# One image for the migration, web (gunicorn), Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=jiangyan.settings.production
WORKDIR /app

# pg_dump / pg_restore (PostgreSQL 15, as the database service) for the nightly backup and make restore.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

COPY . .
RUN pip install --upgrade pip && pip install .
# compile_catalogues and collectstatic need some secret to import the settings; the real one comes from
# the environment.
RUN DJANGO_SECRET_KEY=build-only-not-used-at-run-time python manage.py compile_catalogues \
    && DJANGO_SECRET_KEY=build-only-not-used-at-run-time python manage.py collectstatic --noinput \
    && useradd --system --home /app portal && mkdir -p /app/var/media /app/var/backups \
    && chown -R portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "jiangyan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
