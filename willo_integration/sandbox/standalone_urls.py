"""ROOT_URLCONF of ``manage.py willo_sandbox serve``: only the API and its media."""

from django.urls import include, path

urlpatterns = [
    path("api/integrations/v2/", include("willo_integration.sandbox.urls")),
]
