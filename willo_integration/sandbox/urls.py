"""The Willo Integration API v2, as mounted at /api/integrations/v2/."""

from django.urls import path, re_path

from . import media
from .views import (
    children,
    departments,
    interview_templates,
    interviews,
    message_templates,
    participants,
    reference,
    users,
    webhooks,
)

app_name = "sandbox"

urlpatterns = [
    path("departments/", departments.collection, name="departments"),
    path("departments/<str:key>/", departments.detail, name="department"),
    # Sic: the collection spells this resource "idv-counties".
    path("idv-counties/", reference.idv_countries, name="idv-countries"),
    path("interviews/", interviews.collection, name="interviews"),
    path("interviews/<str:key>/", interviews.detail, name="interview"),
    path("languages/", reference.languages, name="languages"),
    path("message-templates/", message_templates.collection, name="message-templates"),
    path("message-templates/<str:key>/", message_templates.detail, name="message-template"),
    path("participants/", participants.collection, name="participants"),
    path("participants/<str:key>/", participants.detail, name="participant"),
    path("participants/<str:key>/idv-info/", participants.idv_info_view, name="idv-info"),
    path("participants/<str:key>/idv-media/", participants.idv_media_view, name="idv-media"),
    path("users/", users.collection, name="users"),
    path("users/<str:key>/", users.detail, name="user"),
    path("webhooks/", webhooks.collection, name="webhooks"),
    path("webhooks/<str:key>/", webhooks.detail, name="webhook"),
    path("categories/", reference.categories, name="categories"),
    path("interview-templates/", interview_templates.collection, name="interview-templates"),
    path(
        "interview-templates/<str:template_key>/",
        interview_templates.detail,
        name="interview-template",
    ),
    path(
        "interview-templates/<str:template_key>/interviews/",
        interview_templates.interviews,
        name="interview-template-interviews",
    ),
    path("children/", children.collection, name="children"),
    re_path(
        r"^media/answers/(?P<key>[0-9a-f]{32})\.(?P<extension>mp4|webm|mp3|ogg|pdf)$",
        media.answer_media,
        name="answer-media",
    ),
    re_path(
        r"^media/(?P<kind>avatars|logos|documents)/(?P<key>[0-9a-f]{32})\.png$",
        media.image,
        name="image-media",
    ),
]
