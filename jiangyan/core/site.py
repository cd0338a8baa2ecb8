"""What each app adds to the site, declared on its ``AppConfig`` and collected here.

The site (urls, API router, home page, project page, navigation, audit labels, demo seeding) never names
an app: an app subclasses :class:`PortalAppConfig` and declares its parts, and the site collects them from
the installed apps in ``INSTALLED_APPS`` order. Adding an app is adding it to ``INSTALLED_APPS``.

Parts are dotted paths, imported when first used, so an ``apps.py`` imports no models.
"""

import importlib
import logging
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.module_loading import import_string

from .pagecache import EVERYTHING
from .roles import has_role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavItem:
    """A link in the header menu. ``roles=()`` means everybody; ``signed_in=True`` hides it from visitors."""

    label: str
    url_name: str
    roles: tuple[str, ...] = field(default=())
    order: int = 50
    signed_in: bool = False

    def visible_to(self, user) -> bool:
        if self.roles:
            return has_role(user, *self.roles)
        return user.is_authenticated or not self.signed_in


@dataclass(frozen=True)
class Section:
    """A part of a page another app owns: ``template`` rendered with the dict ``context`` returns.

    Home sections: ``context(request) -> dict``. Project-page sections: ``context(user, project) -> dict``.
    Campaign-page sections: ``context(campaign) -> dict``.
    ``topics``: the cache topics it shows (``jiangyan.core.pagecache``), added to those of the page it is on.
    """

    template: str
    context: str
    order: int = 50
    topics: tuple[str, ...] = ()

    def get_context(self, *args) -> dict[str, Any]:
        return import_string(self.context)(*args)


@dataclass(frozen=True)
class Work:
    """A kind of open work that waits for a person (``/api/v1/me/``): ``rows`` is a dotted path to a
    request-free selector ``fn(*, user) -> QuerySet`` of what waits for ``user`` (in their scope), asked of
    the holders of ``roles`` (``()``: everybody signed in). A row is named by its field ``key`` (code or id)
    and reads as its field ``title`` (``""``: ``str(row)``); it links to the API object ``api`` and to the
    page ``page`` (URL names taking the key as ``lookup``; ``""``: none, and the page is then the row's
    ``get_absolute_url``); ``due`` is the field of its deadline, if it has one."""

    kind: str
    label: str
    rows: str
    roles: tuple[str, ...] = field(default=())
    key: str = "pk"
    title: str = "title"
    api: str = ""
    page: str = ""
    lookup: str = "pk"
    due: str = ""
    order: int = 50

    def applies_to(self, user) -> bool:
        return has_role(user, *self.roles) if self.roles else user.is_authenticated

    def get_rows(self, user):
        return import_string(self.rows)(user=user)


# ``AuditField.choices`` of a key whose values are names of the target model's fields (``fields`` of
# ``personal_data.view``): each reads as the field's verbose name.
MODEL_FIELDS = "model-fields"


@dataclass(frozen=True)
class AuditField:
    """How a key of an audit event's before/after reads when the target model has no field of that name
    (or a field that says something else): its ``label`` and, for a stored code, the labels of its values —
    ``choices`` is a dotted path to a ``TextChoices`` class or a ``{value: label}`` dict."""

    label: str
    choices: str | dict = ""

    def value_labels(self) -> dict:
        if isinstance(self.choices, dict):
            return self.choices
        if not self.choices or self.choices == MODEL_FIELDS:
            return {}
        return dict(import_string(self.choices).choices)


class PortalAppConfig(AppConfig):
    """The parts an app adds to the portal. Every attribute is optional.

    - ``url_prefix`` + ``<app>.urls``: its pages (``""`` mounts at the root);
    - ``api_module``: a module with ``register(router)`` and optionally ``extra_urls``;
    - ``nav_items``: header menu entries;
    - ``home_sections`` / ``project_sections`` / ``duty_sections`` / ``campaign_sections``: parts of the
      home page, of each project page, of each duty item page and of each seasonal campaign's page;
    - ``audit_verbs``: labels of the audit verbs its services write;
    - ``audit_fields``: ``{model name: {key: AuditField}}`` for the keys of its events' before/after that
      are not fields of the target model (a model field reads by its verbose name and choices);
    - ``audit_topics``: for each of those verbs, the cache topics the change moves
    (``jiangyan.core.pagecache``):
      templates formatted with the event's target as ``t`` (``"project:{t.code}"``; one that meets an empty
      relation, ``{t.project.code}`` of an order on a wish, is left out); ``()`` for a verb that changes
      nothing shown (a reading);
    - ``open_work``: the kinds of open work it keeps for a person (:class:`Work`, on ``/api/v1/me/``);
    - ``privacy_module``: a module with ``personal_data(*, user, phone, query_code) -> list[dict]`` and
      ``erase_personal_data(*, actor, user, phone, query_code) -> int`` (``jiangyan.core.privacy``, PIPL);
    - ``beat_schedule`` lives in ``jiangyan/celery.py`` (one place for every schedule).
    """

    url_prefix: str | None = None
    api_module: str | None = None
    nav_items: tuple[NavItem, ...] = ()
    home_sections: tuple[Section, ...] = ()
    project_sections: tuple[Section, ...] = ()
    duty_sections: tuple[Section, ...] = ()
    campaign_sections: tuple[Section, ...] = ()
    audit_verbs: dict[str, str] = {}
    audit_fields: dict[str, dict[str, AuditField]] = {}
    audit_topics: dict[str, tuple[str, ...]] = {}
    open_work: tuple[Work, ...] = ()
    privacy_module: str | None = None

    def ready(self) -> None:
        from jiangyan.models import register_verbs

        register_verbs(self.audit_verbs)


def audit_field(app_label: str, model: str, key: str) -> AuditField | None:
    """The declared reading of ``key`` in the events of ``app_label.model``; an app's ``"*"`` entry holds
    keys shared by all its models."""
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return None
    fields = getattr(config, "audit_fields", {})
    return fields.get(model, {}).get(key) or fields.get("*", {}).get(key)


def portal_apps() -> list[PortalAppConfig]:
    return [config for config in apps.get_app_configs() if isinstance(config, PortalAppConfig)]


def _sections(kind: str) -> list[Section]:
    return sorted((s for config in portal_apps() for s in getattr(config, kind)), key=lambda s: s.order)


@cache
def home_sections() -> list[Section]:
    return _sections("home_sections")


@cache
def project_sections() -> list[Section]:
    return _sections("project_sections")


@cache
def duty_sections() -> list[Section]:
    return _sections("duty_sections")


@cache
def campaign_sections() -> list[Section]:
    return _sections("campaign_sections")


def section_topics(sections: list[Section]) -> tuple[str, ...]:
    return tuple(sorted({topic for section in sections for topic in section.topics}))


@cache
def open_work() -> list[Work]:
    return sorted((w for config in portal_apps() for w in config.open_work), key=lambda w: w.order)


@cache
def _audit_topics() -> dict[str, tuple[str, ...]]:
    return {verb: topics for config in portal_apps() for verb, topics in config.audit_topics.items()}


def change_topics(verb: str, target) -> set[str]:
    """The cache topics the audited change ``verb`` of ``target`` moves, from the apps' ``audit_topics``;
    everything (``*``) for a verb no app declared."""
    declared = _audit_topics().get(verb)
    if declared is None:
        return {EVERYTHING}
    topics = set()
    for template in declared:
        try:
            topics.add(template.format(t=target))
        except AttributeError as exc:
            if "NoneType" not in str(exc):  # a target the declaration does not fit: refresh everything
                log.warning("audit topics: %s does not fit %s (%s)", template, verb, exc)
                return {EVERYTHING}
            # else an empty relation on the way: the target shows on no such page
    return topics


def api_modules() -> list[ModuleType]:
    return [importlib.import_module(config.api_module) for config in portal_apps() if config.api_module]


@cache
def _nav(prefix: str, urlconf: str) -> tuple[tuple[NavItem, str], ...]:
    items = sorted((item for config in portal_apps() for item in config.nav_items), key=lambda i: i.order)
    return tuple((item, reverse(item.url_name)) for item in items)


def nav_for(user) -> list[dict[str, str]]:
    """The header menu of ``user`` (the links are reversed once per deployment, not on every page)."""
    items = _nav(get_script_prefix(), settings.ROOT_URLCONF)
    return [{"label": item.label, "url": url} for item, url in items if item.visible_to(user)]


def sections_context(sections: list[Section], *args) -> dict[str, Any]:
    """The merged context of ``sections`` plus ``section_templates`` (their templates, in order), for
    ``{% for t in section_templates %}{% include t %}{% endfor %}``."""
    context: dict[str, Any] = {"section_templates": [s.template for s in sections]}
    for section in sections:
        context.update(section.get_context(*args))
    return context
