# One image for web (gunicorn), Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=jiangyan.settings.production
WORKDIR /app

COPY . .
RUN pip install --upgrade pip && pip install .
# compile_catalogues and collectstatic need some secret to import the settings; the real one comes from
# the environment.
RUN DJANGO_SECRET_KEY=build-only-not-used-at-run-time python manage.py compile_catalogues \
    && DJANGO_SECRET_KEY=build-only-not-used-at-run-time python manage.py collectstatic --noinput \
    && useradd --system --home /app portal && mkdir -p /app/var/media && chown -R portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "jiangyan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
