"""Pages, API lists and aggregates kept in the cache, each under the *topics* it shows, so a change refreshes
what it affects and nothing else, at once (docs/performance.md).

**Topics.** A topic names a part of the data: ``projects`` (what lists and figures show of any project),
``project:<code>`` (one project's page), ``wishes`` (the public board), ``wishes:any`` (any wish, also one
under review: the funnel), ``wishes:<community id>``, ``wish:<code>``, ``surveys``, ``trace`` (suggestion →
problem → duty → project), ``reports``, ``supervision``, ``accounts``, ``campaigns`` (the seasonal campaigns'
pages), ``campaign-names`` (pages naming a wish's or project's campaign); ``*`` is everything. Each topic has
a version in the cache (a random token). :func:`changed` gives the topics new versions when the transaction
commits. Nobody calls it by hand for a change of state: ``jiangyan.core.audit.audit_record`` derives the
topics of every audited change from its verb and target (the ``audit_topics`` each app declares, collected by
``jiangyan.core.site.change_topics``); a verb nobody declared moves ``*``.

**Entries.** An entry stores the versions of its topics (always with ``*``) read *before* it was computed;
it is fresh while they are current. When it is stale, the first worker to take its recompute lock
recomputes it; every other worker answers with the previous copy while that lock is held
(``PAGE_CACHE_LOCK_SECONDS`` at most), or, when there is no copy at all, waits for the new one
(``PAGE_CACHE_WAIT_SECONDS`` at most). So N clients of a page that just went stale cost one recomputation,
and a stream of changes keeps at most one worker recomputing it.
If the cache cannot be reached the answer is computed as if nothing were cached, never an error. If the
database cannot be reached while a stale entry is recomputed, the visitor gets the previous copy.

**Keys** hold what the answer varies on and nothing else: the path and the query parameters the page knows
(its FilterSet's, its paginator's, those declared with it; sorted, anything else dropped — the view then
sees the same canonical query, so the content for known parameters is unchanged), scheme, host (checked
against ``ALLOWED_HOSTS`` first), language, reading modes, today's date, for the API the negotiated
format; for a signed-in reader the roles and the *share* (``jiangyan.core.scoping.Share``) of the rows they
see.

**Who is served from where.** :class:`PageCacheMiddleware` (right after WhiteNoise) answers anonymous
visitors of public pages before sessions, CSRF and authentication run. Signed-in readers are served by
:func:`cached_page` inside the view's own checks (``role_required`` runs every time): the page is rendered
once per share with its personal parts left as markers (``{% personal %}`` in ``base.html``: the header,
the messages; the CSRF token), and each request fills in its own. API lists: :func:`cached_list`
(``PortalViewSet.cache_topics``). Aggregates a page shows to many: :func:`remember`.
"""

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache as memoize
from functools import cached_property, lru_cache, wraps
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.template import Context, engines
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .middleware import DISPLAY_COOKIE, chosen_language, display_modes
from .roles import roles_of
from .scoping import Share

log = logging.getLogger(__name__)

EVERYTHING = "*"
PAGE_PARAM = "page"
# Cookies that may shape an anonymous page (and so are part of its key); any other cookie bypasses the cache.
KEY_COOKIES = (settings.LANGUAGE_COOKIE_NAME, DISPLAY_COOKIE)
# A query longer than this, or a free-text search, is answered without the cache: such keys are unbounded
# and hardly ever shared.
MAX_QUERY_LENGTH = 300
FREE_TEXT_PARAMS = ("q",)
WAIT_STEP = 0.02
# The reader's own parts of a shared page: ``partials/personal/`` (their name, notices and links: kept per
# reader until their notices change) and ``partials/request/`` (the messages: rendered on every request).
PERSONAL_PART = rb"<!--personal:(partials/(?:personal|request)/[\w-]+\.html)-->"
READER_PARTS = "partials/personal/"
CSRF = "csrf"


class CacheDown(Exception):
    """The cache backend did not answer (or answered that it ignored an error)."""


def _topic_key(topic: str) -> str:
    return f"topic:{topic}"


# The shape of what an entry holds: a release that changes it moves this, and entries of the old shape are
# never read again (they age out).
SHAPE = 2


def _digest(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in (SHAPE, settings.RELEASE, *parts)).encode()).hexdigest()


# --- topics -------------------------------------------------------------------------------------------


def changed(*topics: str) -> None:
    """These topics changed: every cached answer that shows one of them is stale once the current
    transaction commits (at once outside a transaction). A refused change (rolled back) moves nothing."""
    names = {t for t in topics if t}
    if names:
        transaction.on_commit(lambda: _move(names))


def data_changed() -> None:
    """Everything changed (the daily schedule refresh, the demo seeder, an edit in the admin)."""
    changed(EVERYTHING)


def admin_changed(**kwargs) -> None:
    """An edit in the Django admin (its log entry was written): it may show anywhere."""
    data_changed()


def check_cache_apart(app_configs=None, **kwargs) -> list:
    """Deployment check: the cache must not share the broker's Redis (an unbounded cache there grows with
    every page and link, and a bound with eviction there would evict the task queue)."""
    if settings.REDIS_URL and settings.CACHE_URL == settings.REDIS_URL:
        return [
            checks.Warning(
                "The cache shares the Celery broker's Redis (REDIS_URL).",
                hint="Set CACHE_URL to a Redis of its own with --maxmemory and --maxmemory-policy "
                "allkeys-lru (docker-compose.yml: the cache service; docs/performance.md).",
                id="jiangyan.W001",
            )
        ]
    return []


def _move(topics: Iterable[str]) -> None:
    # A new random token, not a counter: a version the cache lost (evicted, restarted) comes back as a value
    # no stored entry was built under, so no stale entry can ever look fresh.
    token = secrets.token_hex(8)
    try:
        cache.set_many({_topic_key(t): token for t in topics}, timeout=None)
    except Exception:  # the cache is down: nothing it holds can be served either
        log.warning("page cache: could not move topics %s", sorted(topics), exc_info=True)


def _versions(names: list[str], found: dict) -> dict[str, str]:
    versions = {}
    for name in names:
        value = found.get(_topic_key(name))
        if value is None:
            value = secrets.token_hex(8)
            added = cache.add(_topic_key(name), value, timeout=None)
            if added is None:  # django-redis swallowed a connection error
                raise CacheDown
            if not added:
                value = cache.get(_topic_key(name))
                if value is None:
                    raise CacheDown
        versions[name] = value
    return versions


# --- one entry ------------------------------------------------------------------------------------------


class Slot:
    """The cached answer under ``key`` for the current versions of ``topics``.

    After construction ``value`` is the answer to give (``state``: ``hit``; ``stale`` — the previous copy
    while another worker recomputes; ``wait`` — the copy another worker just made) or None: then compute,
    ``fill`` with what may be kept, and ``close`` (``state``: ``miss``, or ``down`` when the cache cannot
    be reached and nothing is kept)."""

    def __init__(self, key: str, topics: Iterable[str], companion: tuple[str, Iterable[str]] | None = None):
        self.key = key
        self.names = sorted(set(topics) | {EVERYTHING})
        self.value = None
        self.previous = None
        self.state = "miss"
        self._lock = None
        # Another entry read in the same round trip (a signed-in reader's own parts): ``companion_value``.
        self.companion_key, companion_topics = companion or (None, ())
        self.companion_names = sorted(set(companion_topics) | {EVERYTHING})
        self.companion_value = None
        try:
            self._open()
        except Exception as exc:
            if not isinstance(exc, CacheDown):
                log.warning("page cache unavailable: %s", exc)
            self.state, self.value, self._lock = "down", None, None

    def _open(self) -> None:
        names = sorted(set(self.names) | set(self.companion_names if self.companion_key else ()))
        keys = [self.key, *([self.companion_key] if self.companion_key else [])]
        found = cache.get_many([*keys, *(_topic_key(n) for n in names)])
        every = _versions(names, found)
        self.versions = {n: every[n] for n in self.names}
        if self.companion_key:
            self.companion_versions = {n: every[n] for n in self.companion_names}
            kept = found.get(self.companion_key)
            if kept is not None and kept[0] == self.companion_versions:
                self.companion_value = kept[1]
        entry = found.get(self.key)
        if entry is not None and entry[0] == self.versions:
            self.value, self.state = entry[1], "hit"
            return
        # One recomputation of an entry at a time, whatever changed meanwhile: under a stream of changes
        # one worker recomputes it again and again while the others answer with the latest copy.
        lock = f"lock:{self.key}"
        mine = cache.add(lock, 1, timeout=settings.PAGE_CACHE_LOCK_SECONDS)
        if mine is None:
            raise CacheDown
        if mine:
            self._lock = lock
            # Kept to answer with if recomputing fails because the database is down (jiangyan.core.outage).
            self.previous = entry[1] if entry is not None else None
        elif entry is not None:
            self.value, self.state = entry[1], "stale"
        else:
            self._wait(lock)

    def _wait(self, lock: str) -> None:
        """No previous copy: wait for the worker computing it, until it is stored or the lock is gone."""
        deadline = time.monotonic() + settings.PAGE_CACHE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP)
            found = cache.get_many([self.key, lock])
            entry = found.get(self.key)
            if entry is not None and entry[0] == self.versions:
                self.value, self.state = entry[1], "wait"
                return
            if lock not in found:  # the other worker gave up or answered something it did not keep
                return

    def fill(self, value) -> None:
        if self.state != "down":
            self._store(self.key, self.versions, value)

    def fill_companion(self, value) -> None:
        if self.state != "down":
            self._store(self.companion_key, self.companion_versions, value)

    def _store(self, key: str, versions: dict, value) -> None:
        try:
            cache.set(key, (versions, value), timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.warning("page cache: could not store %s", key, exc_info=True)

    def close(self) -> None:
        if self._lock is not None:
            try:
                cache.delete(self._lock)
            except Exception:
                log.warning("page cache: could not release %s", self._lock, exc_info=True)
            self._lock = None


def remember(name: str, compute: Callable, *parts, topics: Iterable[str] = (EVERYTHING,)):
    """``compute()``, kept while ``topics`` do not change: for aggregates or fragments many readers share.
    ``parts`` name what else the value depends on (date, language, scope)."""
    if not settings.PAGE_CACHE_SECONDS:
        return compute()
    slot = Slot(f"agg:{name}:{_digest(*parts)}", topics)
    if slot.value is not None:
        return slot.value
    try:
        value = compute()
        slot.fill(value)
    finally:
        slot.close()
    return value


# --- what a page declares ------------------------------------------------------------------------------


@memoize
def filterset_params(filterset_class) -> frozenset[str]:
    """The query parameters a FilterSet reads: its form's fields (a range widget reads two)."""
    names = set()
    for name, form_field in filterset_class().form.fields.items():
        widget = form_field.widget
        if isinstance(widget, forms.MultiWidget):
            names.update(f"{name}{suffix}" for suffix in widget.widgets_names)
        else:
            names.add(name)
    return frozenset(names)


@dataclass(frozen=True)
class Page:
    """What a cacheable page (or API answer) shows and reads.

    ``topics``: what it shows, formatted with the URL's arguments (``"project:{code}"``; or a function
    returning them, for topics collected from the apps once they are loaded). ``filterset``,
    ``paged`` and ``params``: the query parameters it knows. ``public``: anonymous visitors may be served
    from the cache. ``share(user) -> Share | None``: signed-in readers with the same share (and roles) may be
    served the same page; None: never reused for signed-in readers. ``renderers``: DRF renderer classes,
    to key on the negotiated format."""

    topics: tuple[str, ...] | Callable[[], Iterable[str]] = ()
    filterset: type | None = None
    paged: bool = False
    params: tuple[str, ...] = ()
    public: bool = True
    share: Callable | None = None
    renderers: tuple = field(default=())

    @cached_property
    def known(self) -> frozenset[str]:
        names = set(self.params)
        if self.filterset is not None:
            names |= filterset_params(self.filterset)
        if self.paged:
            names.add(PAGE_PARAM)
        return frozenset(names)

    def topic_names(self, kwargs: dict) -> list[str]:
        topics = self.topics() if callable(self.topics) else self.topics
        return [topic.format(**kwargs) for topic in topics]


def cached_page(
    *,
    topics: Iterable[str] | Callable[[], Iterable[str]] = (),
    filterset=None,
    paged: bool = False,
    params: Iterable[str] = (),
    public: bool = True,
    share: Callable | None = None,
):
    """Declare a page cacheable (innermost decorator, under ``role_required`` and ``require_GET``).

    Anonymous visitors of a ``public`` page are answered by :class:`PageCacheMiddleware`; signed-in readers
    here, when ``share`` says whom they may share the page with."""
    declared = Page(
        topics=topics if callable(topics) else tuple(topics),
        filterset=filterset,
        paged=paged,
        params=tuple(params),
        public=public,
        share=share,
    )

    def decorate(view):
        # A DRF view (the API schema) answers in the format it negotiates: that is part of the key.
        renderers = getattr(getattr(view, "cls", None), "renderer_classes", ())
        page = replace(declared, renderers=tuple(renderers))

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                not settings.PAGE_CACHE_SECONDS
                or page.share is None
                or request.method not in ("GET", "HEAD")
                or not request.user.is_authenticated
            ):
                return view(request, *args, **kwargs)
            return _shared(request, page, lambda: view(request, *args, **kwargs), kwargs)

        wrapper.cached_page = page
        return wrapper

    return decorate


@lru_cache(maxsize=4096)
def _declared(path: str, urlconf: str) -> tuple[Page, dict] | None:
    """The declaration of the page at ``path`` and the URL's arguments (resolved once per path: the middleware
    asks on every request, before Django resolves it again for the view)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    page = page_of(match)
    return None if page is None else (page, match.kwargs)


def page_of(match) -> Page | None:
    """The declaration of the view a URL resolves to: a ``cached_page`` or a ``PortalViewSet`` action."""
    page = getattr(match.func, "cached_page", None)
    if page is not None:
        return page
    viewset = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None)
    if viewset is not None and actions and hasattr(viewset, "cache_topics"):
        return api_page(viewset, actions.get("get"), getattr(match.func, "initkwargs", {}))
    return None


# --- keys -----------------------------------------------------------------------------------------------


def canonicalise(request, page: Page) -> str:
    """Drop the query parameters ``page`` does not know and sort the rest, in the request itself (the view
    reads the same query the key holds). Returns the canonical query."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return ""
    # Read as Django reads it: the WSGI string's bytes, as UTF-8.
    text = get_bytes_from_wsgi(request.META, "QUERY_STRING", "").decode("utf-8", "replace")
    pairs = [(k, v) for k, v in parse_qsl(text, keep_blank_values=True) if k in page.known]
    pairs.sort(key=lambda pair: pair[0])
    query = urlencode(pairs)
    if query != raw:
        request.META["QUERY_STRING"] = query
        request.__dict__.pop("GET", None)  # parsed again from the canonical query
    return query


def _cacheable_query(query: str, request) -> bool:
    return len(query) <= MAX_QUERY_LENGTH and not any(
        request.GET.get(p, "").strip() for p in FREE_TEXT_PARAMS
    )


def _format(request, page: Page) -> str | None:
    """The format DRF will answer in (``Accept`` and ``?format=``), None when it would refuse or when the
    client asks for media-type parameters (``indent=``…): such answers are not cached."""
    if not page.renderers:
        return "html"
    shim = SimpleNamespace(query_params=request.GET, META=request.META, headers=request.headers)
    try:
        renderer, media_type = DefaultContentNegotiation().select_renderer(
            shim, [r() for r in page.renderers]
        )
    except NotAcceptable:
        return None
    if ";" in media_type:
        return None
    return f"{renderer.format}:{renderer.media_type}"


def _variant(request, page: Page) -> str | None:
    """What every answer of the page varies on besides path, query and reader (None: not cacheable)."""
    host = request.get_host()  # DisallowedHost (a 400) before anything is looked up
    negotiated = _format(request, page)
    if negotiated is None:
        return None
    modes = ",".join(display_modes(request))
    return f"{request.scheme}|{host}|{chosen_language(request)}|{modes}|{timezone.localdate()}|{negotiated}"


def reader(user, share: Share) -> str:
    """A signed-in reader as far as a shared answer depends on them: roles, staff flag, share."""
    return f"{','.join(sorted(roles_of(user)))}|{int(user.is_staff)}|{share.key}"


# --- anonymous visitors ----------------------------------------------------------------------------------


def _anonymous(request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and all(name in KEY_COOKIES for name in request.COOKIES)


def _keepable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in cache_control
        and "private" not in cache_control
    )


def _stored(response) -> tuple[bytes, dict]:
    return response.content, {k: v for k, v in response.items() if k.lower() != "set-cookie"}


def _from_store(stored, state: str) -> HttpResponse:
    content, headers = stored
    response = HttpResponse(content, headers=headers)
    response["X-Page-Cache"] = state
    return response


class PageCacheMiddleware:
    """Right after WhiteNoise. For a ``GET`` of a declared page: makes its query canonical; an anonymous
    visitor of a public page is then answered from the cache before sessions, language, CSRF and
    authentication run. Never cached: a request with any cookie but the language and reading-mode ones
    (session, messages, CSRF), a response that sets a cookie (a page that handed out a CSRF token has a
    form and a per-visitor token), anything but a 200."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cacheable = request.method in ("GET", "HEAD")
        declared = _declared(request.path_info, settings.ROOT_URLCONF) if cacheable else None
        if declared is None:
            return self.get_response(request)
        page, kwargs = declared
        query = canonicalise(request, page)
        if not settings.PAGE_CACHE_SECONDS or not page.public or not _anonymous(request):
            return self.get_response(request)
        variant = _variant(request, page)
        if variant is None or not _cacheable_query(query, request):
            return self.get_response(request)
        key = f"page:{_digest(variant, request.path_info, query)}"
        slot = Slot(key, page.topic_names(kwargs))
        if slot.value is not None:
            return _from_store(slot.value, slot.state)
        try:
            response = self.get_response(request)
            if getattr(response, "dependency_down", False) and slot.previous is not None:
                return _from_store(slot.previous, "stale")  # the database is down: the last copy
            # Only what an anonymous visitor got (no credentials reached the view by another way).
            user = getattr(request, "user", None)
            if _keepable(response) and not (user is not None and user.is_authenticated):
                slot.fill(_stored(response))
                response["X-Page-Cache"] = slot.state
        finally:
            slot.close()
        return response


# --- signed-in readers ------------------------------------------------------------------------------------


@memoize
def csrf_marker() -> str:
    """Where a shared render puts the reader's CSRF token (letters and digits: it survives escaping)."""
    return "personalcsrf" + salted_hmac("jiangyan.core.pagecache", "csrf").hexdigest()[:24]


def shared_render(request) -> bool:
    return getattr(request, "shared_render", False)


def personal_topic(user_pk) -> str:
    """The cache topic of what a reader's own parts show besides their account: their notifications."""
    return f"notices:{user_pk}"


@memoize
def _marker() -> re.Pattern:
    return re.compile(PERSONAL_PART + b"|(" + csrf_marker().encode() + b")")


def segments(content: bytes) -> list:
    """A shared page cut at its markers, once, when it is stored: text (bytes) between the names of the
    reader's parts (str; ``CSRF`` for the token), so each request only joins."""
    pieces = _marker().split(content)
    out = [pieces[0]]
    for i in range(1, len(pieces), 3):
        out.append(pieces[i].decode() if pieces[i] else CSRF)
        out.append(pieces[i + 2])
    return out


def _render_parts(request, names: Iterable[str]) -> dict[str, str]:
    """``names`` rendered for this request with one context (the context processors run once)."""
    engine = engines["django"].engine
    flat = {}
    for processor in engine.template_context_processors:
        flat.update(processor(request))
    context = Context(flat, autoescape=engine.autoescape)
    return {name: engine.get_template(name).render(context) for name in names}


def _reader_key(request) -> tuple[str, tuple[str, ...]]:
    """Where the reader's own parts are kept (per reader, name, staff flag, language and reading modes),
    and their topics (their notifications)."""
    user = request.user
    modes = ",".join(display_modes(request))
    key = f"reader:{user.pk}:{_digest(user.display_name, user.is_staff, chosen_language(request), modes)}"
    return key, (personal_topic(user.pk),)


def _request_parts(request, names: list[str]) -> dict[str, str]:
    """The parts of this request alone (the messages): nothing to render when there are none."""
    messages = getattr(request, "_messages", None)
    if not names or (messages is not None and not len(messages)):
        return dict.fromkeys(names, "")
    return _render_parts(request, names)


def reader_token(request) -> str:
    """The reader's CSRF token, as ``django.middleware.csrf.get_token`` gives it (the cookie's secret under a
    fresh mask, the cookie renewed), with the mask drawn from one read of the system's randomness: Django's
    ``get_random_string`` reads it once per character, 32 system calls that were an eighth of a cached
    signed-in page's time. Uniform: bytes past the last whole multiple of the alphabet are dropped."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return get_token(request)  # no secret yet: Django makes one (and its cookie)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    chars = CSRF_ALLOWED_CHARS
    size = len(chars)
    usable = 256 - 256 % size
    mask: list[str] = []
    while len(mask) < len(secret):
        mask.extend(chars[b % size] for b in secrets.token_bytes(2 * len(secret)) if b < usable)
    mask = mask[: len(secret)]
    cipher = "".join(
        chars[(chars.index(x) + chars.index(y)) % size] for x, y in zip(secret, mask, strict=True)
    )
    return "".join(mask) + cipher


def personalise(request, pieces: list, kept: dict | None) -> tuple[bytes, dict | None]:
    """The page of ``pieces`` for this reader: their own parts (from ``kept``, rendered when missing, with
    the CSRF token left as the marker), the request's parts and the token. Returns the page and the reader's
    parts when they had to be rendered (for keeping)."""
    names = set(pieces[1::2]) - {CSRF}
    own = [n for n in names if n.startswith(READER_PARTS)]
    parts, rendered = dict(kept or {}), None
    missing = [n for n in own if n not in parts]
    if missing:
        was, request.shared_render = shared_render(request), True
        try:
            parts.update(_render_parts(request, missing))
        finally:
            request.shared_render = was
        rendered = dict(parts)
    parts.update(_request_parts(request, [n for n in names if not n.startswith(READER_PARTS)]))
    token = reader_token(request)
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        name = pieces[i]
        if name == CSRF:
            out.append(token.encode())
        else:
            out.append(parts[name].replace(csrf_marker(), token).encode())
        out.append(pieces[i + 1])
    return b"".join(out), rendered


def _shared(request, page: Page, view: Callable, kwargs: dict):
    share = page.share(request.user)
    variant = _variant(request, page)
    query = request.META.get("QUERY_STRING", "")
    if share is None or variant is None or not _cacheable_query(query, request):
        return view()
    key = f"shared:{_digest(variant, request.path_info, query, reader(request.user, share))}"
    slot = Slot(key, [*page.topic_names(kwargs), *share.topics], companion=_reader_key(request))
    if slot.value is None:
        request.shared_render = True
        try:
            response = view()
            keep = _keepable(response) and response.get("Content-Type", "").startswith("text/html")
            if keep:
                content, headers = _stored(response)
                slot.fill((segments(content), headers))
        finally:
            request.shared_render = False
            slot.close()
        if not keep:
            return response
        stored = (segments(content), headers)
    else:
        stored = slot.value
    pieces, headers = stored
    content, rendered = personalise(request, pieces, slot.companion_value)
    if rendered is not None:
        slot.fill_companion(rendered)
    answer = HttpResponse(content, headers=headers)
    answer["X-Page-Cache"] = slot.state
    return answer


# --- API lists --------------------------------------------------------------------------------------------


def cached_list(list_view):
    """Wrap an API viewset's ``list``: the answer is kept per reader (roles and share of the queryset's
    model, ``visible_share``; a reader of their own rows alone), canonical query, format and language,
    under the viewset's ``cache_topics``. Authentication and permissions still run on every request; only
    what they allow is reused. Anonymous clients are answered earlier, by the middleware."""

    def list(self, request, *args, **kwargs):
        page = api_page(type(self), "list")
        if not settings.PAGE_CACHE_SECONDS or page is None:
            return list_view(self, request, *args, **kwargs)
        share = self.cache_share(request.user)
        variant = _variant(request, page)
        query = request.META.get("QUERY_STRING", "")
        if share is None or variant is None or not _cacheable_query(query, request):
            return list_view(self, request, *args, **kwargs)
        key = f"list:{_digest(variant, request.path_info, query, reader(request.user, share))}"
        slot = Slot(key, [*page.topic_names(kwargs), *share.topics])
        if slot.value is not None:
            response = Response(slot.value)
        else:
            try:
                response = list_view(self, request, *args, **kwargs)
                if response.status_code == 200:
                    slot.fill(response.data)
            finally:
                slot.close()
        response["X-Page-Cache"] = slot.state
        return response

    list.cached = True
    return list


@memoize
def _api_page(viewset, action: str, filterset, pagination, renderers: tuple) -> Page:
    params = [api_settings.URL_FORMAT_OVERRIDE]
    if filterset is None:  # DjangoFilterBackend's FilterSet built from ``filterset_fields``
        params += list(getattr(viewset, "filterset_fields", None) or ())
    if pagination is not None:
        params += [
            getattr(pagination, "page_query_param", None),
            getattr(pagination, "page_size_query_param", None),
        ]
    return Page(
        topics=tuple(viewset.cache_topics),
        filterset=filterset,
        params=tuple(p for p in params if p),
        public=action in viewset.public_actions,
        renderers=renderers,
    )


def api_page(viewset, action: str | None, initkwargs: dict | None = None) -> Page | None:
    """The declaration of a ``PortalViewSet`` action (``GET``): the viewset's ``cache_topics``, and the
    filters, paging and renderers of the action (an ``@action`` may override the viewset's)."""
    if action is None or viewset.cache_topics is None:
        return None
    kwargs = initkwargs or {}
    return _api_page(
        viewset,
        action,
        kwargs.get("filterset_class", getattr(viewset, "filterset_class", None)),
        kwargs.get("pagination_class", viewset.pagination_class),
        tuple(kwargs.get("renderer_classes", viewset.renderer_classes)),
    )
