"""The hiring manager's pages of a share link, under the ``share:`` namespace, no login."""

from django.urls import path

from dashboard.views import shared

app_name = "share"

token = "<str:token>/"
candidate = token + "<str:participant_key>/"

urlpatterns = [
    path(token, shared.share_page, name="page"),
    path(candidate, shared.share_candidate, name="candidate"),
    path(candidate + "verdict/", shared.share_verdict, name="verdict"),
    path(candidate + "answers/<str:answer_key>/media", shared.share_media, name="media"),
]
