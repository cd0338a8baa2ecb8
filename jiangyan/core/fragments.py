"""Cached fragments of what many readers share: the row of a project in a list, of a wish, of a project in
its unit's workspace.

A fragment is keyed by its template, the language and **the data it shows** — the object's
``fragment_version()``, a tuple of every value its shared templates read — so a changed object is simply
a new key and a fragment is never stale, whatever changed it (a service, the admin, the daily schedule
refresh). Nothing has to be emptied; unused keys age out (``FRAGMENT_CACHE_SECONDS``).

A fragment is rendered without the request (no user, no CSRF token, no reading mode): what is personal
stays in the page around it. ``render_each`` fetches the fragments of a whole list in one round trip
(``get_many``) and stores the missing ones in one more (``set_many``). A cache that fails costs the
rendering, never the page.
"""

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)


def _cache():
    return caches[settings.FRAGMENT_CACHE_ALIAS]


def fragment_key(template_name: str, version: tuple) -> str:
    digest = hashlib.blake2b(repr((settings.RELEASE, version)).encode(), digest_size=16).hexdigest()
    return f"fragment:{template_name}:{get_language()}:{digest}"


def render_list(
    template_name: str,
    objects: Iterable,
    *,
    name: str,
    context: dict | None = None,
    version: str = "fragment_version",
) -> list[SafeString]:
    """``template_name`` rendered for each of ``objects`` (as ``name``, with ``context``), in order; each
    rendering reused while ``obj.fragment_version()`` (or the method named ``version``: what this template
    shows of the object) and the language are the same. ``context`` must be the same for every reader
    (it is not part of the key)."""
    objects = list(objects)
    if not objects:
        return []
    keys = [fragment_key(template_name, getattr(obj, version)()) for obj in objects]
    cache = _cache() if settings.FRAGMENT_CACHE_SECONDS else None
    try:
        found = cache.get_many(keys) if cache else {}
    except Exception:  # noqa: BLE001 (whatever the backend raises: render without it)
        logger.warning("fragment cache unavailable", exc_info=True)
        cache, found = None, {}
    missing, parts = {}, []
    template = None
    for obj, key in zip(objects, keys, strict=True):
        html = found.get(key)
        if html is None:
            template = template or get_template(template_name)
            html = missing[key] = template.render({**(context or {}), name: obj})
        parts.append(mark_safe(html))  # noqa: S308 (our template's output)
    if missing and cache:
        try:
            cache.set_many(missing, timeout=settings.FRAGMENT_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("fragment cache unavailable", exc_info=True)
    return parts


def render_each(template_name: str, objects: Iterable, **options) -> SafeString:
    """:func:`render_list`, joined."""
    return mark_safe("".join(render_list(template_name, objects, **options)))  # noqa: S308
