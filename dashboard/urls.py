from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dashboard.views.health import healthz, readyz
from willo_integration.webhooks import webhook_receive_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("webhooks/willo/<str:route>/", webhook_receive_view, name="willo_webhook_receive"),
    path("share/", include("dashboard.share_urls")),
    path("", include("dashboard.app_urls")),
]

if settings.WILLO_SANDBOX_ENABLED:
    urlpatterns.append(path("api/integrations/v2/", include("willo_integration.sandbox.urls")))
