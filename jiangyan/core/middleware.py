from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

DISPLAY_COOKIE = "display"
DISPLAY_MODES = ("large", "contrast")


def chosen_language(request) -> str:
    """The language the visitor chose with the switch (the language cookie), else Chinese."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def display_modes(request) -> list[str]:
    """The reading modes of the visitor's cookie (large text, high contrast), always in the same order."""
    chosen = request.COOKIES.get(DISPLAY_COOKIE, "").split(",")
    return [m for m in DISPLAY_MODES if m in chosen]


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the visitor chose another language (the language cookie set by the switch at the
    foot of each page). The browser's Accept-Language is not followed: an office PC with an English
    browser should still show the Chinese portal."""

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()


def content_security_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set: ``Content-Security-Policy`` (from
    ``settings.CONTENT_SECURITY_POLICY``; scripts and styles only from our own static files, never
    inline) and ``Permissions-Policy``. A view that sets its own header keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy(settings.CONTENT_SECURITY_POLICY)
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
