"""Deployment checks of the site's own settings (``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host


def check_site_url(app_configs=None, **kwargs) -> list:
    """E-mail links (``SITE_URL``) must lead to the portal as its readers reach it: https, on one of the
    hosts the portal answers."""
    url = urlsplit(settings.SITE_URL)
    if url.scheme == "https" and url.hostname and validate_host(url.hostname, settings.ALLOWED_HOSTS):
        return []
    return [
        checks.Warning(
            f"SITE_URL ({settings.SITE_URL}) is not an https address on DJANGO_ALLOWED_HOSTS: the links in "
            "e-mails would not lead to the portal.",
            hint="Set SITE_URL to the portal's public address, e.g. https://banshishi.jiangyan.gov.cn.",
            id="jiangyan.W002",
        )
    ]
