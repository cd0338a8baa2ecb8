from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jiangyan.core.pagecache import cached_page
from jiangyan.core.site import portal_apps

from . import views

handler400 = "jiangyan.views.bad_request"
handler403 = "jiangyan.views.permission_denied"
handler404 = "jiangyan.views.page_not_found"
handler500 = "jiangyan.views.server_error"

admin.site.site_header = "姜堰区“我为群众办实事”平台管理"
admin.site.site_title = "办实事平台管理"

page_apps = [app for app in portal_apps() if app.url_prefix is not None]
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers and WeChat ask for /favicon.ico whatever the page links to.
    path("favicon.ico", views.favicon, name="favicon"),
    path("display/", views.display_preferences, name="display-preferences"),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.xlsx", views.audit_export, name="audit-export"),
    path("privacy/requests/", views.privacy_requests, name="privacy-requests"),
    # Each app's pages under the prefix its AppConfig declares.
    *(
        path(app.url_prefix, include(f"{app.name}.urls"))
        for app in portal_apps()
        if app.url_prefix is not None
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("jiangyan.api")),
    # The schema in the format negotiated (Accept or ?format=, yaml by default) and language (?lang=).
    path(
        "api/schema/", cached_page(params=("format", "lang"))(SpectacularAPIView.as_view()), name="api-schema"
    ),
    # The split view serves its start-up script as a file: no inline script (Content-Security-Policy).
    path(
        "api/docs/",
        cached_page(params=("script", "lang"))(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="jiangyan/api_docs.html")
        ),
        name="api-docs",
    ),
]
if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
