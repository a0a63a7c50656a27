from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from qualityhub.core import views as core_views
from qualityhub.core.api_conventions import UnknownEndpointView

api_v1 = [
    path("", include("qualityhub.registry.api_urls")),
    path("", include("qualityhub.accounts.api_urls")),
    path("", include("qualityhub.credit.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", UnknownEndpointView.as_view(), name="unknown-endpoint"),
]

urlpatterns = [
    path("", include("qualityhub.core.urls")),
    path("accounts/", include("qualityhub.accounts.urls")),
    path("registry/", include("qualityhub.registry.urls")),
    path("credit/", include("qualityhub.credit.urls")),
    path("verify/", include("qualityhub.credit.public_lending_urls")),
    path("", include("qualityhub.credit.public_urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
