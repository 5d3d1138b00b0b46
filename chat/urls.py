from django.urls import path

from . import apis, views

app_name = "chat"
urlpatterns = [
    path("agent/chat/", views.inbox, name="inbox"),
    path("agent/chat/settings/", views.settings_page, name="settings"),
    # The API lives here (not in helpdesk.urls' api_v1 list) so the app is one include.
    path("api/v1/chats/", apis.ChatListApi.as_view(), name="api-list"),
    path("api/v1/chats/<int:pk>/", apis.ChatDetailApi.as_view(), name="api-detail"),
    path("api/v1/chats/<int:pk>/transcript/", apis.ChatTranscriptApi.as_view(), name="api-transcript"),
]
