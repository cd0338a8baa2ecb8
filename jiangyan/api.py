"""The API router under ``/api/v1/``. Each registry registers its viewsets in ``<app>/api.py``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

import accounts.api
import projects.api
import supervision.api
import surveys.api
import wishes.api

router = DefaultRouter()
for module in (accounts.api, projects.api, wishes.api, surveys.api, supervision.api):
    module.register(router)

urlpatterns = [
    path("auth/token/", accounts.api.ObtainTokenView.as_view(), name="api-token"),
    *(p for module in (projects.api, wishes.api, surveys.api, supervision.api) for p in module.extra_urls),
    *router.urls,
]
