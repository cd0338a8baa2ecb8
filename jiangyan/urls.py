from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

handler403 = "jiangyan.views.permission_denied"
handler404 = "jiangyan.views.page_not_found"
handler500 = "jiangyan.views.server_error"

admin.site.site_header = "姜堰区“我为群众办实事”平台管理"
admin.site.site_title = "办实事平台管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("display/", views.display_preferences, name="display-preferences"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("projects/", include("projects.urls")),
    path("wishes/", include("wishes.urls")),
    path("surveys/", include("surveys.urls")),
    path("", include("supervision.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("jiangyan.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
